/**
 * A big signed snapshot parsed on a second thread while this one inserts (both cores work: on
 * the 2-core reference machine parsing was ~1 s of a 1M-entry swap, beside ~2.4 s of inserts).
 *
 * Each step of the store's swap is one synchronous SQLite transaction, and it must stay so: if
 * this thread returned to the event loop while a step's transaction is open, a tap's journal
 * write could land in it and be rolled back with a bad snapshot (taps are served between steps,
 * outside any transaction). So the entries are pulled synchronously: the
 * generator blocks on a shared counter (Atomics.wait) and takes the batches with
 * receiveMessageOnPort; the event loop never runs in between.
 *
 * Same checks, same errors: the parse thread runs the in-thread scanner and parser (hash, count,
 * every line) and posts an error with its code and details, which the generator throws, so the
 * store rolls back exactly as with an in-thread parse. The worker stays at most
 * MAX_BATCHES_AHEAD batches ahead (bounded memory). If it posts nothing for
 * STALL_MS, the swap is given up (LIST_FILE_INVALID, reason io) and the thread terminated.
 * Files with fewer than IN_THREAD_BELOW_LINES lines, and unsigned dev files (their PANs are
 * tokenised here with the device's keyring), are parsed in this thread as before.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { RescardError, builtWorkerFile, type PayloadDigest } from '@rescard/shared';
import type { ListEntry, ListName } from '../core/model.js';
import type { ParseReply, ParseWorkerData } from './snapshot-parse-messages.js';

export const IN_THREAD_BELOW_LINES = 50_000;
const BATCH_ENTRIES = 2000;
const MAX_BATCHES_AHEAD = 8;
const STALL_MS = 30_000;

const SHARED = '../../../shared/src/lists/';
const workerFile = (): string =>
  builtWorkerFile(import.meta.url, './snapshot-parse-worker.js', [
    './snapshot-parse-worker.ts', ...['payload-scanner', 'canonical-line', 'list-record', 'list-fields', 'list-attrs'].map((f) => `${SHARED}${f}.ts`),
  ]);

export interface SnapshotSource {
  readonly path: string;
  readonly payloadOffset: number;
  readonly expected: { readonly sha256?: string | undefined; readonly count?: number | undefined };
}

/** A snapshot being parsed on another thread (parseSnapshotInWorker). */
export interface ParsedSnapshot {
  /** The entries; returns the verified digest after the last one. Pulled synchronously. */
  readonly entries: Generator<ListEntry, PayloadDigest, undefined>;
  /**
   * Resolves once the thread has posted its first batch, or ended: awaited before the swap, so
   * the swap's first step does not block the event loop while the thread starts (~0.3 s).
   */
  readonly ready: Promise<void>;
  /** Stop the thread (idempotent); call when done, whether the entries were read or not. */
  close(): void;
}

/** Start parsing the snapshot on another thread now. */
export function parseSnapshotInWorker(source: SnapshotSource, list: ListName): ParsedSnapshot {
  const signalBuffer = new SharedArrayBuffer(12);
  const signal = new Int32Array(signalBuffer);
  const { port1, port2 } = new MessageChannel();
  // [0] batches posted, [1] batches taken, [2] 1 once the worker ended.
  const data: ParseWorkerData = {
    path: source.path, payloadOffset: source.payloadOffset, expected: source.expected, signal: signalBuffer, port: port2,
    batchEntries: BATCH_ENTRIES, maxBatchesAhead: MAX_BATCHES_AHEAD,
  };
  const worker = new Worker(workerFile(), { workerData: data, transferList: [port2] });
  worker.unref();
  // A worker that dies without posting sets signal[2] (its exit handler) or, failing that, the
  // stall timeout ends the wait; its 'error' event must not take the process down.
  worker.on('error', () => undefined);
  // A worker that dies before its own exit handler is in place (module load, memory) still ends
  // the wait at once: the main side marks it ended too.
  worker.once('exit', () => {
    Atomics.store(signal, 2, 1);
    Atomics.notify(signal, 0);
  });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    port1.close();
    void worker.terminate(); // also ends a worker waiting for room (Atomics.wait)
  };
  // Polled (5 ms) rather than Atomics.waitAsync, which this TypeScript lib does not declare. A
  // thread that posts nothing within STALL_MS fails here, before any step could block on it.
  const deadline = performance.now() + STALL_MS;
  const ready = new Promise<void>((resolve, reject) => {
    const poll = (): void => {
      if (Atomics.load(signal, 0) > 0 || Atomics.load(signal, 2) === 1 || closed) resolve();
      else if (performance.now() > deadline) reject(new RescardError('LIST_FILE_INVALID', `list file: the parse thread posted nothing for ${STALL_MS / 1000} s`, { reason: 'io' }));
      else setTimeout(poll, 5);
    };
    poll();
  });
  return { entries: entries(port1, signal, list, close), ready, close };
}

function* entries(port: MessagePort, signal: Int32Array, list: ListName, close: () => void): Generator<ListEntry, PayloadDigest, undefined> {
  try {
    for (let taken = 0; ; taken += 1) {
      const reply = next(port, signal, taken);
      Atomics.store(signal, 1, taken + 1);
      Atomics.notify(signal, 1);
      if (reply.t === 'error') throw new RescardError(reply.code, reply.message, { ...reply.details });
      if (reply.t === 'done') return reply.digest;
      const f = reply.fields;
      for (let i = 0; i < f.length; i += 5) {
        yield { list, token: f[i] as string, category: f[i + 1] as string | null, validFrom: f[i + 2] as string | null, validTo: f[i + 3] as string | null, attrs: f[i + 4] as ListEntry['attrs'] };
      }
    }
  } finally {
    close();
  }
}

/** The snapshot's entries, parsed on another thread (started at the first pull); returns the verified digest after the last one. */
export function* entriesParsedInWorker(source: SnapshotSource, list: ListName): Generator<ListEntry, PayloadDigest, undefined> {
  const parsed = parseSnapshotInWorker(source, list);
  try {
    return yield* parsed.entries;
  } finally {
    parsed.close();
  }
}

/** The next reply, waiting for it without returning to the event loop. */
function next(port: MessagePort, signal: Int32Array, taken: number): ParseReply {
  const deadline = performance.now() + STALL_MS; // monotonic: the wall clock may be stepped (GPS, NTP)
  for (;;) {
    const exited = Atomics.load(signal, 2) === 1;
    const m = receiveMessageOnPort(port);
    if (m !== undefined) return m.message as ParseReply;
    if (exited) throw new RescardError('LIST_FILE_INVALID', 'list file: the parse thread ended without an answer', { reason: 'io' });
    if (performance.now() > deadline) {
      throw new RescardError('LIST_FILE_INVALID', `list file: the parse thread posted nothing for ${STALL_MS / 1000} s`, { reason: 'io' });
    }
    Atomics.wait(signal, 0, taken, 100); // returns as soon as the worker posts the next batch
  }
}
