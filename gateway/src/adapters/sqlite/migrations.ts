/**
 * Schema of gateway.db, run by the shared runner (@rescard/shared/sqlite): `PRAGMA user_version`
 * is the schema version and each migration is its own IMMEDIATE transaction that also sets
 * user_version. Append; never edit a shipped migration.
 */
import { latestVersion, runMigrations, type SqliteDb, type SqliteMigration, type SqliteSchema } from '@rescard/shared/sqlite';

export const MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'outbox, device marks, retained messages, terminal status',
    sql: `
      -- Taps in custody: from the terminal's ack until the server's. AUTOINCREMENT: a rowid is
      -- never reused, so a late upstream ack naming rowids can never mark a newer tap delivered.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0,
        UNIQUE (device_id, seq)
      );
      -- Per device: every seq <= high_water is in the outbox or committed at the server.
      CREATE TABLE device_mark (
        device_id TEXT PRIMARY KEY NOT NULL,
        high_water INTEGER NOT NULL,
        upstream_up_to INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      -- Retained messages relayed from upstream (list announcements, freshness), re-published
      -- on the local broker at every start: aedes keeps retained messages in memory only.
      CREATE TABLE retained (
        topic TEXT PRIMARY KEY NOT NULL,
        payload BLOB NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- The latest status (heartbeat or last will) of each terminal seen on the local broker.
      CREATE TABLE terminal_status (
        device_id TEXT PRIMARY KEY NOT NULL,
        payload TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

const GATEWAY_SCHEMA: SqliteSchema = { name: 'gateway.db', code: 'GATEWAY_STORE_FAILURE', migrations: MIGRATIONS };

export function migrate(db: SqliteDb): { from: number; to: number } {
  return runMigrations(db, GATEWAY_SCHEMA);
}
