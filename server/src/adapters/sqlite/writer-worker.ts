/**
 * The writer thread's body (started by writer-thread.ts, never imported): a GroupWriter over
 * its own connection to server.db. Messages in (WriterRequest) and out (WriterReply) are in
 * writer-messages.ts. Replies for one group commit travel together, after the commit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { GatewayBatch, TapBatch } from '@rescard/shared';
import { GroupWriter } from '../../app/group-writer.js';
import type { DeviceTaps, WorkItem } from '../../ports/ingest-writer.js';
import { openServerDb } from './open-server-db.js';
import { SqliteIngestStore } from './sqlite-ingest-store.js';
import type { ItemOutcome, WriterReply, WriterRequest, WriterWorkerData } from './writer-messages.js';

const port = parentPort!;
const data = workerData as WriterWorkerData;
const post = (reply: WriterReply): void => port.postMessage(reply);

// Log lines go to the main thread, which writes them through the server's logger.
const log = pino({ level: data.logLevel, base: null, timestamp: false }, { write: (line: string) => post({ t: 'log', line }) });

/** The batches of a validated payload (the main thread checked it against the schema). */
function batchesOf(kind: 'device' | 'gateway', bytes: Uint8Array): readonly DeviceTaps[] {
  const value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as TapBatch | GatewayBatch;
  return kind === 'device' ? [value as TapBatch] : (value as GatewayBatch).batches;
}

let outcomes: ItemOutcome[] = [];
let scheduled = false;
/** One reply per turn of the worker's loop: the outcomes of the group(s) just committed. */
function report(outcome: ItemOutcome): void {
  outcomes.push(outcome);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    const done = outcomes;
    outcomes = [];
    post({ t: 'done', outcomes: done, stats: { ...writer.stats } });
  });
}

let writer: GroupWriter;
try {
  const db = openServerDb(data.dbPath);
  writer = new GroupWriter(new SqliteIngestStore(db), { ...data.options, now: Date.now }, log);
  port.on('message', (m: WriterRequest) => {
    if (m.t === 'item') {
      const item: WorkItem = {
        receivedAtMs: m.receivedAtMs,
        viaGatewayId: m.viaGatewayId,
        batches: m.payload ? batchesOf(m.payload.kind, m.payload.bytes) : m.batches,
        ...(m.status ? { status: m.status } : {}),
        ...(m.relayed ? { relayed: m.relayed } : {}),
        onCommitted: (results) => report({ id: m.id, results }),
        onFailed: () => report({ id: m.id, results: null }),
      };
      writer.submit(item);
    } else if (m.t === 'drain') {
      writer.flush();
      queueMicrotask(() => post({ t: 'drained', id: m.id, stats: { ...writer.stats } }));
    } else {
      writer.flush();
      queueMicrotask(() => {
        db.close();
        post({ t: 'stopped' });
        port.close();
      });
    }
  });
  post({ t: 'ready' });
} catch (err) {
  post({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
