/**
 * The server's store, in two seams over one database:
 * - IngestStore (write side): the group writer runs one `transaction` per group of messages:
 *   tap inserts (idempotent on deviceId + seq), the devices' sequence state and gaps, statuses.
 *   `transaction` returns only once the commit is durable; if it throws, nothing of the group
 *   was applied (and nothing may be acknowledged).
 * - QueryStore (read side): what the HTTP API shows.
 * Adapters: SqliteServerStore (adapters/sqlite), FakeServerStore (in-memory, for unit tests); one
 * contract suite (server-store.contract.ts) runs against both.
 */
import type { Heartbeat, TapWire } from '@rescard/shared';
import type { Propagation } from '../core/propagation.js';
import type { GapChange, SeqGap, SeqState } from '../core/seq-state.js';

export interface StoredTap {
  readonly deviceId: string;
  readonly tap: TapWire;
  readonly receivedAtMs: number;
  readonly late: boolean;
  readonly batchId: string;
  /** The gateway that forwarded it, or null when the device sent it directly. */
  readonly viaGatewayId: string | null;
}

export interface IngestStore {
  /** Run `fn` as one transaction; durable when it returns; on a throw nothing is applied. */
  transaction<T>(fn: () => T): T;
  /** True when inserted; false when (deviceId, seq) was already stored (a duplicate). */
  insertTap(row: StoredTap): boolean;
  /** The tapId already stored for (deviceId, seq), to tell a resend from a conflicting reuse. */
  storedTapId(deviceId: string, seq: number): string | null;
  loadSeqState(deviceId: string): SeqState;
  saveSeqState(deviceId: string, state: SeqState, changes: readonly GapChange[], nowMs: number): void;
  /**
   * Keep `status` as the device's latest unless a newer one is stored (newest `receivedAtMs`
   * wins: a gateway may relay a status after the device has spoken directly). `viaGatewayId`:
   * the gateway that relayed it, null when the device sent it itself. True when kept.
   */
  saveStatus(status: Heartbeat, receivedAtMs: number, viaGatewayId?: string | null): boolean;
}

export interface ListStateView {
  readonly version: number;
  readonly ageMs: number | null;
  readonly stale: boolean;
}

export interface DeviceView {
  readonly deviceId: string;
  readonly kind: 'terminal' | 'gateway' | null;
  readonly online: boolean;
  /** When the server last received a status from it (online or offline). */
  readonly lastSeenMs: number;
  readonly offlineSinceMs: number | null;
  /** The gateway that relayed the latest status; null when the device sent it itself. */
  readonly viaGatewayId: string | null;
  /** The latest online heartbeat, null when only a last will was ever seen. */
  readonly heartbeat: {
    readonly atMs: number;
    readonly appVersion: string;
    readonly profile: string;
    readonly queue: { readonly depth: number; readonly capacity: number; readonly alarm: boolean; readonly oldestAgeMs: number | null };
    readonly lists: Readonly<Record<string, ListStateView>>;
    readonly restricted: boolean;
    readonly clockFault: boolean;
    readonly tapLatencyMs: { readonly p50: number | null; readonly p99: number | null };
    readonly alarms: readonly string[];
    readonly terminals: readonly string[] | null;
  } | null;
  readonly seq: SeqSummary | null;
}

export interface SeqSummary {
  readonly committedUpTo: number;
  readonly maxSeq: number;
  readonly openGaps: number;
}

export interface GapView extends SeqGap {
  readonly closedAtMs: number | null;
}

export interface StoredTapView extends TapWire {
  readonly deviceId: string;
  readonly receivedAtMs: number;
  readonly late: boolean;
  readonly batchId: string;
  readonly viaGatewayId: string | null;
}

export interface TapQuery {
  readonly deviceId?: string;
  readonly fromSeq?: number;
  readonly limit: number;
}

export interface QueryStore {
  devices(): DeviceView[];
  device(deviceId: string): DeviceView | null;
  /** Open gaps first (by fromSeq), then the closed ones (latest first), at most `limit`. */
  gaps(deviceId: string, limit: number): GapView[];
  taps(query: TapQuery): StoredTapView[];
  tapCount(deviceId?: string): number;
  propagation(list: string, version: number): Propagation;
}
