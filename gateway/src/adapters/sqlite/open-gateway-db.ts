/**
 * gateway.db: one SQLite file in the data folder, shared by the outbox and the relay state.
 * - journal_mode=WAL, synchronous=FULL: a commit is on disk when it returns. The gateway acks a
 *   terminal right after that return, so NORMAL (which may lose the last commits on power loss)
 *   would turn a power cut into lost taps.
 * - busy_timeout 5 s; foreign writers are not expected (one gateway process per data folder).
 * Migrations run at open (migrations.ts). Errors leave as GATEWAY_STORE_FAILURE.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { guard } from './store-error.js';

export type GatewayDb = Database.Database;

export function openGatewayDb(path: string): GatewayDb {
  return guard('open', () => {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}
