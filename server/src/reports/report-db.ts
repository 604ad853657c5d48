/**
 * A read-only connection to server.db for one report run. Each run has its own connection:
 * a better-sqlite3 connection is busy while an iterator is open, so concurrent reports cannot
 * share one; opening one costs well under a millisecond. WAL: reports never block the ingest
 * writer, and `BEGIN` makes every query of the run read the same snapshot (a report of several
 * queries, e.g. anomalies, is consistent even while taps arrive). The snapshot lasts until the
 * report ends: a long report holds back WAL checkpoints (not ingest) meanwhile.
 *
 * SQL functions on the connection (deterministic): rc_day(ms) → the local date YYYY-MM-DD in
 * the programme's time zone (LocalClock).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { LocalClock } from './period.js';

export interface ReportDb {
  readonly db: Database.Database;
  readonly clock: LocalClock;
  close(): void;
}

export function storeFailure(err: unknown, what: string): RescardError {
  if (err instanceof RescardError) return err;
  return new RescardError('SERVER_STORE_FAILURE', `${what}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
}

export function openReportDb(serverDbPath: string, clock: LocalClock): ReportDb {
  if (!existsSync(serverDbPath)) throw new RescardError('SERVER_STORE_FAILURE', 'server.db does not exist yet: no taps to report on', { path: serverDbPath });
  let db: Database.Database | undefined;
  try {
    db = new Database(serverDbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    db.pragma('cache_size = -16384');
    db.function('rc_day', { deterministic: true }, (ms: unknown) => (typeof ms === 'number' ? clock.day(ms) : null));
    db.exec('BEGIN');
    const conn = db;
    return {
      db: conn,
      clock,
      close() {
        if (conn.open) conn.close();
      },
    };
  } catch (err) {
    db?.close();
    throw storeFailure(err, 'opening server.db for a report failed');
  }
}
