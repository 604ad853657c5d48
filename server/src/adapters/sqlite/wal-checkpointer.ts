/**
 * WAL checkpoints off the ingest thread. A checkpoint copies the WAL back into server.db and
 * fsyncs it: inside a group commit (SQLite's automatic checkpoint) it stalled ingest for
 * tens of ms and cost ~20% of throughput (bench:ingest). Here a worker thread with its own
 * connection runs `wal_checkpoint(PASSIVE)` every `intervalMs`; PASSIVE never blocks the writer,
 * and once a checkpoint has caught up, SQLite restarts the WAL from its beginning, so it stays
 * bounded while the checkpointer keeps up. The writer's own automatic checkpoint stays on as a
 * safety net at a higher threshold (open-server-db.ts), and close() truncates the WAL.
 *
 * The worker is inline code (eval) so that it runs the same from src (tests) and dist.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.path, { timeout: 5000 });
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.postMessage({ stopped: true }); } });
`;

export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(path: string, log: Logger, intervalMs = 200) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, sqliteModule } });
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error) log.warn({ err: m.error }, 'background WAL checkpoint failed (the writer checkpoints as a fallback)');
    });
    this.worker.on('error', (err) => log.warn({ err }, 'WAL checkpointer stopped'));
    this.worker.unref();
  }

  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await stopped;
    await this.worker.terminate();
  }
}
