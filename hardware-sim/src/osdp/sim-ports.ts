/** What the simulated PD runs on: a line, timers, and a device behind the protocol. */
import type { Reply, SimCommand } from './pd-messages.js';

export interface SimLine {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): () => void;
}

export interface SimTimers {
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: SimTimers = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface SimDevice {
  /** PDCAP entries [function, compliance, count] (Annex B), without the security ones. */
  capabilities(): readonly (readonly [number, number, number])[];
  /** osdp_POLL: the next pending event reply (ISTATR, RAW), or undefined for ACK. */
  nextEvent(): Reply | undefined;
  handle(command: SimCommand): Reply;
}
