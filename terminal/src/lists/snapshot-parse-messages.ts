/** What the snapshot parse thread is given and posts (snapshot-parse-thread.ts, snapshot-parse-worker.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorCode, PayloadDigest } from '@rescard/shared';

export interface ParseWorkerData {
  readonly path: string;
  readonly payloadOffset: number;
  readonly expected: { readonly sha256?: string | undefined; readonly count?: number | undefined };
  /** Int32 slots: [0] batches posted, [1] batches taken, [2] 1 once the worker ended. */
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly batchEntries: number;
  readonly maxBatchesAhead: number;
}

export type ParseReply =
  /** fields: per entry token, category, validFrom, validTo, attrs. */
  | { readonly t: 'entries'; readonly firstLine: number; readonly fields: readonly unknown[] }
  | { readonly t: 'done'; readonly digest: PayloadDigest }
  | { readonly t: 'error'; readonly code: ErrorCode; readonly message: string; readonly details: Readonly<Record<string, unknown>> };
