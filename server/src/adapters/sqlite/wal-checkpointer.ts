/**
 * WAL checkpoints off the ingest thread. A checkpoint copies the WAL back into server.db and
 * fsyncs it: inside a group commit (SQLite's automatic checkpoint) it stalled ingest for
 * tens of ms and cost ~20% of throughput (bench:ingest). Here a worker thread with its own
 * connection runs `wal_checkpoint(PASSIVE)` every `intervalMs`; PASSIVE never blocks the writer,
 * and once a checkpoint has caught up, SQLite restarts the WAL from its beginning, so it stays
 * bounded while the checkpointer keeps up. The writer's own automatic checkpoint stays on as a
 * safety net at a higher threshold (open-server-db.ts), and close() truncates the WAL.
 *
 * The WAL file is not truncated by commits (open-server-db.ts: that stalled the writer). Here,
 * once a checkpoint has caught up and nothing was written for one interval, a WAL file larger
 * than `truncateAboveBytes` (64 MiB) is truncated (`wal_checkpoint(TRUNCATE)`, skipped if the
 * writer is active): the disk space a drain used comes back when the load pauses. Under load
 * that never pauses (heartbeats of thousands of devices), a caught-up WAL above `capBytes`
 * (512 MiB) is truncated anyway: one commit then waits for the truncate (~90 ms measured for
 * a few hundred MB on this disk, discard on).
 *
 * The worker is inline code (eval) so that it runs the same from src (tests) and dist.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.sqliteModule);
// No busy wait: PASSIVE never waits, and TRUNCATE gives up at once while the writer is writing.
const db = new Database(workerData.path, { timeout: 0 });
let lastLog = -1;
const walBytes = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const idle = r.busy === 0 && r.log === r.checkpointed && r.log === lastLog;
    lastLog = r.log;
    const bytes = r.busy === 0 && r.log === r.checkpointed ? walBytes() : 0;
    if ((idle && bytes > workerData.truncateAboveBytes) || bytes > workerData.capBytes) {
      const t0 = performance.now();
      const [t] = db.pragma('wal_checkpoint(TRUNCATE)');
      if (t.busy === 0) { lastLog = -1; parentPort.postMessage({ truncated: true, ms: performance.now() - t0 }); }
    }
  } catch (err) { parentPort.postMessage({ error: String(err && err.message) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.postMessage({ stopped: true }); } });
`;

/** A truncate this long is logged at warn (commits waited that long). */
const SLOW_TRUNCATE_MS = 500;

export class WalCheckpointer {
  private readonly worker: Worker;

  /** WAL truncations done (they follow pauses in the writes). */
  truncations = 0;
  private exited = false;

  constructor(path: string, log: Logger, intervalMs = 200, truncateAboveBytes = 64 * 1024 * 1024, capBytes = 512 * 1024 * 1024) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, sqliteModule, truncateAboveBytes, capBytes } });
    this.worker.on('message', (m: { error?: string; truncated?: boolean; ms?: number }) => {
      if (m.error) log.warn({ err: m.error }, 'background WAL checkpoint failed (the writer checkpoints as a fallback)');
      if (!m.truncated) return;
      this.truncations += 1;
      // A truncate holds the write lock while it runs: a long one makes group commits wait, and
      // past their busy timeout (5 s) fail (nothing acked; devices resend).
      const ms = Math.round(m.ms ?? 0);
      if (ms >= SLOW_TRUNCATE_MS) log.warn({ ms }, 'WAL truncate held the write lock for a long time: group commits waited');
      else log.debug({ ms }, 'WAL truncated');
    });
    this.worker.on('error', (err) => log.warn({ err }, 'WAL checkpointer stopped'));
    this.worker.once('exit', () => (this.exited = true));
    this.worker.unref();
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const stopped = new Promise<void>((resolve) => {
      const onMessage = (m: { stopped?: boolean }): void => {
        if (!m.stopped) return;
        this.worker.off('message', onMessage);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await stopped;
    await this.worker.terminate();
  }
}
