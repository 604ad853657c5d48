/** What the main thread and the writer thread (writer-thread.ts, writer-worker.ts) tell each other. */
import type { Heartbeat } from '@rescard/shared';
import type { GroupWriterOptions } from '../../app/group-writer.js';
import type { DeviceResult, DeviceTaps, RelayedStatuses, WriterStats } from '../../ports/ingest-writer.js';

export interface WriterWorkerData {
  readonly dbPath: string;
  readonly options: Omit<GroupWriterOptions, 'now'>;
  readonly logLevel: string;
}

export type WriterRequest =
  | {
      readonly t: 'item';
      readonly id: number;
      readonly receivedAtMs: number;
      readonly viaGatewayId: string | null;
      /** The validated message (its own ArrayBuffer, transferred); batches are read from it. */
      readonly payload?: { readonly kind: 'device' | 'gateway'; readonly bytes: Uint8Array };
      readonly batches: readonly DeviceTaps[];
      readonly status?: Heartbeat;
      readonly relayed?: RelayedStatuses;
    }
  | { readonly t: 'drain'; readonly id: number }
  | { readonly t: 'stop' };

/** results null: the item's commit failed (nothing applied, nothing to acknowledge). */
export interface ItemOutcome {
  readonly id: number;
  readonly results: readonly DeviceResult[] | null;
}

export type WriterReply =
  | { readonly t: 'ready' }
  | { readonly t: 'failed'; readonly message: string }
  | { readonly t: 'done'; readonly outcomes: readonly ItemOutcome[]; readonly stats: WriterStats }
  | { readonly t: 'drained'; readonly id: number; readonly stats: WriterStats }
  | { readonly t: 'log'; readonly line: string }
  | { readonly t: 'stopped' };
