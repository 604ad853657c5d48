/**
 * IngestWriter: where the ingest handler hands validated work, and from where, after the commit,
 * each item's `onCommitted` runs (the application ack follows from it).
 * Adapters:
 * - GroupWriter (app/group-writer.ts): in this thread, over an IngestStore (unit tests, in-memory);
 * - WriterThread (adapters/sqlite/writer-thread.ts): the same GroupWriter in a worker thread over
 *   its own connection to server.db, so that SQLite inserts and commits run beside the broker and
 *   the payload checks (the default server on a data folder).
 */
import type { Heartbeat, TapWire } from '@rescard/shared';

export interface DeviceTaps {
  readonly deviceId: string;
  readonly batchId: string;
  readonly taps: readonly TapWire[];
}

export interface DeviceResult {
  readonly deviceId: string;
  readonly committedUpTo: number;
  readonly duplicates: number;
}

export interface RelayedStatuses {
  readonly gatewayId: string;
  readonly statuses: readonly { readonly receivedAtMs: number; readonly status: Heartbeat }[];
}

export interface WorkItem {
  readonly receivedAtMs: number;
  readonly viaGatewayId: string | null;
  readonly batches: readonly DeviceTaps[];
  readonly status?: Heartbeat;
  /** Statuses of a gateway's terminals, each with when the gateway received it. */
  readonly relayed?: RelayedStatuses;
  /** Runs after the commit, with one result per entry of `batches` (same order). */
  readonly onCommitted?: (results: readonly DeviceResult[]) => void;
  /** Runs when the item's own commit failed (nothing of it applied, nothing to acknowledge). */
  readonly onFailed?: () => void;
}

/**
 * The message a WorkItem's taps came in, already validated by the handler: a writer in another
 * thread sends these bytes rather than the parsed objects (JSON.parse over there costs less than
 * a structured clone here). `batches` of the item are then read from it.
 */
export interface ValidatedPayload {
  readonly kind: 'device' | 'gateway';
  readonly bytes: Buffer;
}

export interface WriterStats {
  messages: number;
  taps: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  commits: number;
  commitFailures: number;
}

export interface IngestWriter {
  readonly stats: Readonly<WriterStats>;
  /** Taps submitted and not yet committed, with its bound (writers that queue). */
  readonly queued?: { readonly taps: number; readonly peakTaps: number; readonly boundTaps: number };
  /** Writers on a thread of their own: whether it runs, and its restarts after dying. */
  readonly thread?: { readonly up: boolean; readonly restarts: number };
  submit(item: WorkItem, payload?: ValidatedPayload): void;
  /**
   * null while the writer has room; otherwise a promise that settles once it has caught up. The
   * broker holds back its next read from the sending client until then (back-pressure): work
   * waiting for the writer is bounded, and nothing is dropped.
   */
  pressure(): Promise<void> | null;
  /** Commit everything submitted so far; resolves after the callbacks ran. */
  drain(): Promise<void>;
}
