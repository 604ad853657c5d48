/**
 * server.db: one SQLite file in the data folder, shared by the ingest (write) and query (read)
 * stores. Same settings and reasons as the terminal's device database:
 * - journal_mode=WAL: HTTP reads never block the ingest writer; a commit is a WAL append + fsync.
 * - synchronous=FULL: a commit is on disk when it returns. The ack to a device follows the
 *   commit, and the device then deletes its taps: NORMAL could lose acked taps on power loss.
 * - One writer (this process); group commits amortise the fsync over many messages.
 * - cache_size 64 MiB: the tap table's right-hand pages per device stay hot.
 * - page_size 16 KiB (set before the first table, so only for a new file): a tap row is about
 *   400 bytes; bigger leaves mean fewer page splits and B-tree pages per commit (measured:
 *   about 15% less time per inserted tap than 4 KiB).
 * - Checkpoints run on another thread (wal-checkpointer.ts); the writer's automatic checkpoint
 *   is only a safety net at 50 000 pages (800 MB of 16 KiB pages).
 * - journal_size_limit = -1: a commit never truncates the WAL file. With a limit, the commit
 *   that restarts the WAL after a drain cut a file of hundreds of MB down, and that truncate
 *   (with the disk's online discard) stalled the writer for ~90 ms: the steady ack p99 of
 *   bench:ingest went from ~150 to ~70 ms without it. The checkpointer truncates the WAL
 *   instead once writes have paused (wal-checkpointer.ts), and close() does.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import { migrate } from './migrations.js';
import { guard, toRescardError } from './store-error.js';

export interface ServerDbOptions {
  readonly cacheSizeKiB?: number;
  readonly busyTimeoutMs?: number;
  readonly autoCheckpointPages?: number;
}

export class ServerDb {
  /** Use openServerDb(). */
  constructor(
    readonly db: Database.Database,
    readonly path: string,
    readonly schemaVersion: number,
  ) {}

  integrityCheck(): string[] {
    return guard('integrityCheck', () => this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]).map(
      (r) => r.integrity_check,
    );
  }

  close(): void {
    if (!this.db.open) return;
    guard('checkpoint', () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
    guard('close', () => this.db.close());
  }
}

export function openServerDb(path: string, options: ServerDbOptions = {}): ServerDb {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma('page_size = 16384'); // no effect on an existing database
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (path !== ':memory:' && mode !== 'wal') {
      throw new RescardError('SERVER_STORE_FAILURE', `server database refused WAL mode (got "${String(mode)}")`, { path });
    }
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma(`cache_size = -${Math.trunc(options.cacheSizeKiB ?? 65536)}`);
    db.pragma('journal_size_limit = -1');
    db.pragma(`wal_autocheckpoint = ${Math.trunc(options.autoCheckpointPages ?? 50_000)}`);
    const { to } = migrate(db);
    return new ServerDb(db, path, to);
  } catch (err) {
    db?.close();
    throw toRescardError(err, 'open');
  }
}
