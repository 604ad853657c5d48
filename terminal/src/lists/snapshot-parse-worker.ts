/**
 * The body of the snapshot parse thread (started by snapshot-parse-thread.ts, never imported):
 * reads the payload of a signed snapshot file, hashes, counts and parses every line (the same
 * PayloadScanner as in-thread), and posts the entries in batches. It runs at most
 * `maxBatchesAhead` batches ahead of the consumer (a shared counter), so memory stays bounded.
 * Any error is posted with its code, message and details, then the thread ends.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { PayloadScanner, READ_CHUNK_BYTES, isRescardError, lineError } from '@rescard/shared';
import type { ParseReply, ParseWorkerData } from './snapshot-parse-messages.js';

const data = workerData as ParseWorkerData;
const port = data.port;
const signal = new Int32Array(data.signal); // [0] batches posted, [1] batches taken, [2] ended

function post(reply: ParseReply): void {
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** Wait while the consumer is `maxBatchesAhead` batches behind. */
function waitForRoom(): void {
  for (;;) {
    const taken = Atomics.load(signal, 1);
    if (Atomics.load(signal, 0) - taken < data.maxBatchesAhead) return;
    Atomics.wait(signal, 1, taken, 1000);
  }
}

function run(): void {
  const fd = openSync(data.path, 'r');
  try {
    const scanner = new PayloadScanner({ kind: 'snapshot', dev: false, parse: true, expected: data.expected });
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    // Per entry: token, category, validFrom, validTo, attrs (an object).
    let batch: unknown[] = [];
    let first = 0;
    for (let pos = data.payloadOffset; ;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      for (const { line, record } of scanner.push(buf.subarray(0, n))) {
        if (record.op !== 'put') throw lineError(line, 'a snapshot line must be an entry', 'op');
        if (!('token' in record.card)) throw lineError(line, 'a signed snapshot names cards by token', 't');
        if (batch.length === 0) first = line;
        batch.push(record.card.token, record.category, record.validFrom, record.validTo, record.attrs);
        if (batch.length === data.batchEntries * 5) {
          waitForRoom();
          post({ t: 'entries', firstLine: first, fields: batch });
          batch = [];
        }
      }
    }
    if (batch.length > 0) {
      waitForRoom();
      post({ t: 'entries', firstLine: first, fields: batch });
    }
    post({ t: 'done', digest: scanner.finish() });
  } finally {
    closeSync(fd);
  }
}

// signal[2]: set when this thread ends, whatever the way (the consumer stops waiting for it).
process.on('exit', () => {
  Atomics.store(signal, 2, 1);
  Atomics.notify(signal, 0);
});

try {
  run();
} catch (err) {
  post(
    isRescardError(err)
      ? { t: 'error', code: err.code, message: err.message, details: err.details }
      : { t: 'error', code: 'LIST_FILE_INVALID', message: `list file ${data.path}: read failed (${err instanceof Error ? err.message : String(err)})`, details: { reason: 'io', path: data.path } },
  );
}
