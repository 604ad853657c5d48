/**
 * The device database: one SQLite file per device, shared by SqliteListStore and
 * SqliteTapJournal (a tap and its usage event are one transaction, so they need one handle).
 *
 * Settings, and why:
 * - journal_mode=WAL: readers never block the writer; a commit is one append + fsync of the WAL.
 * - synchronous=FULL: a commit is on disk when it returns (the journal's promise to the rider);
 *   NORMAL could lose the last taps on power loss.
 * - cache_size 8 MiB by default: RSS grows ~1:1 with it; 8 MiB keeps the interior B-tree pages of
 *   a 10M-entry list hot (~8 MB) while the leaves come from the OS page cache.
 * - mmap_size=0: mapped pages would count in RSS (target: 120 MB at 10M entries).
 * - journal_size_limit 64 MiB: a 10M-entry snapshot swap grows the WAL to ~1 GB; it is
 *   truncated back after the next checkpoint.
 * - busy_timeout 5 s: another process (e.g. `lists load`) may hold the write lock briefly.
 * - Checkpoints off the tap path: a checkpoint inside a tap's commit (SQLite's default, every
 *   1000 WAL pages, i.e. every ~250 taps) tripled the tap p99 (measured: 1.1 ms -> 4-6 ms at 1M
 *   entries). The app calls checkpointIfDue() after the feedback is shown; it checkpoints
 *   (PASSIVE) every `checkpointEveryWrites` journal writes (100, ~400 pages). wal_autocheckpoint
 *   stays on as a safety net at 10 000 pages (40 MB), so the WAL is bounded even if nobody calls it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import { migrate } from './migrations.js';
import { guard, toRescardError } from './store-error.js';

export interface DeviceDbOptions {
  readonly cacheSizeKiB?: number;
  readonly busyTimeoutMs?: number;
  readonly journalSizeLimitBytes?: number;
  /** Safety-net automatic checkpoint, in WAL pages (default 10 000). */
  readonly autoCheckpointPages?: number;
  /** checkpointIfDue() checkpoints after this many writes (default 100). */
  readonly checkpointEveryWrites?: number;
  /**
   * Bring an existing database of an older schema up to this program's (default true). Only
   * `rescard-terminal start` does: the other commands may run beside the device's running program,
   * which could be the old version (software installed, service not yet restarted). A new,
   * empty database is always created.
   */
  readonly upgrade?: boolean;
}

/** Keys of device_meta owned by this adapter; setMeta refuses them. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['next_seq', 'last_list_gen']);

export class DeviceDb {
  readonly db: Database.Database;
  readonly path: string;
  readonly schemaVersion: number;
  private readonly checkpointEveryWrites: number;
  private writesSinceCheckpoint = 0;
  private readonly getMetaStmt: Database.Statement<[string], unknown>;
  private readonly setMetaStmt: Database.Statement<[string, string], unknown>;

  /** Use openDeviceDb(). */
  constructor(db: Database.Database, path: string, schemaVersion: number, checkpointEveryWrites = 100) {
    this.db = db;
    this.path = path;
    this.schemaVersion = schemaVersion;
    this.checkpointEveryWrites = checkpointEveryWrites;
    this.getMetaStmt = db.prepare<[string], unknown>('SELECT value FROM device_meta WHERE key = ?').pluck();
    this.setMetaStmt = db.prepare<[string, string]>(
      'INSERT INTO device_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  /** A device_meta value (e.g. the clock guard's last trusted wall time), or null. */
  getMeta(key: string): string | null {
    return guard('getMeta', () => {
      const value = this.getMetaStmt.get(key);
      if (typeof value === 'string') return value;
      return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : null;
    });
  }

  /** Durably set a device_meta value (its own FULL commit unless inside a transaction). */
  setMeta(key: string, value: string): void {
    if (RESERVED_KEYS.has(key)) {
      throw new RescardError('STORE_FAILURE', `device_meta key "${key}" is owned by the store`, { key });
    }
    guard('setMeta', () => this.setMetaStmt.run(key, value));
  }

  /**
   * Run `fn` as one IMMEDIATE transaction (e.g. clock state + journal append: one fsync per tap).
   * Store calls inside nest as savepoints; any throw rolls everything back.
   */
  atomically<T>(fn: () => T): T {
    return guard('transaction', () => this.db.transaction(fn).immediate());
  }

  /** Count a committed write (the journal calls this per tap). */
  noteWrite(): void {
    this.writesSinceCheckpoint += 1;
  }

  /** Checkpoint (PASSIVE) if enough writes piled up. Call after a tap's feedback, off its latency. */
  checkpointIfDue(): boolean {
    if (this.writesSinceCheckpoint < this.checkpointEveryWrites) return false;
    this.writesSinceCheckpoint = 0;
    guard('checkpoint', () => this.db.pragma('wal_checkpoint(PASSIVE)'));
    return true;
  }

  /** Checkpoint (PASSIVE) now: between the steps of a big list swap, so no step commits into a 40 MB autocheckpoint. */
  checkpointPassive(): void {
    this.writesSinceCheckpoint = 0;
    guard('checkpoint', () => this.db.pragma('wal_checkpoint(PASSIVE)'));
  }

  /** Copy the whole WAL into the database and truncate it (after a big list load, at shutdown). */
  checkpoint(): void {
    this.writesSinceCheckpoint = 0;
    guard('checkpoint', () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  /** `PRAGMA integrity_check`: ['ok'] when the database is sound. */
  integrityCheck(): string[] {
    return guard('integrityCheck', () => this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[])
      .map((r) => r.integrity_check);
  }

  close(): void {
    if (this.db.open) guard('close', () => this.db.close());
  }
}

export function openDeviceDb(path: string, options: DeviceDbOptions = {}): DeviceDb {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (path !== ':memory:' && mode !== 'wal') {
      throw new RescardError('STORE_FAILURE', `device database refused WAL mode (got "${String(mode)}")`, { path });
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma(`cache_size = -${Math.trunc(options.cacheSizeKiB ?? 8192)}`);
    db.pragma('mmap_size = 0');
    db.pragma(`journal_size_limit = ${Math.trunc(options.journalSizeLimitBytes ?? 64 * 1024 * 1024)}`);
    db.pragma(`wal_autocheckpoint = ${Math.trunc(options.autoCheckpointPages ?? 10_000)}`);
    const { to } = migrate(db, { upgrade: options.upgrade ?? true });
    return new DeviceDb(db, path, to, options.checkpointEveryWrites);
  } catch (err) {
    db?.close();
    throw toRescardError(err, 'open', 'STORE_FAILURE');
  }
}
