/** Options of the OSDP control panel, with the defaults and the spec clause behind each. */
import type { KeyChoice } from '../../protocol/osdp/index.js';

export interface PdOptions extends KeyChoice {
  /** 0x00-0x7E (5.9). */
  readonly address: number;
  readonly name?: string;
  /** Run the Secure Channel (default true). false is for development with plain PDs only. */
  readonly secure?: boolean;
}

export interface ControlPanelOptions {
  readonly pds: readonly PdOptions[];
  /** 5.7: a PD answers within 200 ms. */
  readonly replyTimeoutMs?: number;
  /** Resends of an unanswered command, same bytes and sequence number (5.4). */
  readonly retries?: number;
  /** Consecutive missed replies after which the PD is declared offline. */
  readonly offlineAfterMissed?: number;
  /** Period of osdp_POLL per online PD. */
  readonly pollIntervalMs?: number;
  /** Pause between connection attempts to an offline PD. */
  readonly reconnectIntervalMs?: number;
  /** Wait before resending after osdp_BUSY (7.19). */
  readonly busyRetryMs?: number;
  /** Commands waiting for the bus. Overflow: the new command is refused with OSDP_QUEUE_FULL. */
  readonly maxQueuedCommands?: number;
  /** Send CRC-16 (default) or the 8-bit checksum (Annex C). */
  readonly useCrc?: boolean;
}

export interface ResolvedOptions {
  readonly replyTimeoutMs: number;
  readonly retries: number;
  readonly offlineAfterMissed: number;
  readonly pollIntervalMs: number;
  readonly reconnectIntervalMs: number;
  readonly busyRetryMs: number;
  readonly maxQueuedCommands: number;
  readonly useCrc: boolean;
}

export function resolveOptions(options: ControlPanelOptions): ResolvedOptions {
  const retries = options.retries ?? 3;
  return {
    replyTimeoutMs: options.replyTimeoutMs ?? 200,
    retries,
    offlineAfterMissed: options.offlineAfterMissed ?? retries + 1,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    reconnectIntervalMs: options.reconnectIntervalMs ?? 1000,
    busyRetryMs: options.busyRetryMs ?? 50,
    // Bound: a gate sends at most a handful of commands per tap (LED, BUZ, TEXT, OUT x2); 32 is
    // several taps of headroom. Overflow refuses the newest command with an error (never a tap).
    maxQueuedCommands: options.maxQueuedCommands ?? 32,
    useCrc: options.useCrc ?? true,
  };
}
