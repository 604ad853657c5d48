/**
 * Schema migrations of server.db, run by the shared runner (@rescard/shared/sqlite): `PRAGMA
 * user_version` is the schema version and each migration is its own IMMEDIATE transaction, so a
 * crash leaves the database at one version or the next. Append new migrations; never edit one
 * that has shipped.
 */
import { latestVersion, runMigrations, type SqliteDb, type SqliteMigration, type SqliteSchema } from '@rescard/shared/sqlite';

export const MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'taps, sequence state and gaps, device status',
    sql: `
      -- One row per tap, everything of TapWire. Idempotent on (device_id, seq). Never a PAN:
      -- pan_masked only (checked by the schema and again before insert). Nested parts as JSON.
      CREATE TABLE tap (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        tap_id TEXT NOT NULL,
        wall_ms REAL NOT NULL,
        mono_ms REAL NOT NULL,
        boot_id TEXT NOT NULL,
        token TEXT NOT NULL,
        kid TEXT NOT NULL,
        par_token TEXT,
        pan_masked TEXT NOT NULL,
        scheme TEXT NOT NULL,
        profile TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        counted TEXT,
        amount_kopecks INTEGER NOT NULL,
        direction TEXT,
        stale_list INTEGER NOT NULL,
        restricted INTEGER NOT NULL,
        clock_fault INTEGER NOT NULL,
        read_ms REAL NOT NULL,
        context TEXT NOT NULL,
        fare TEXT,
        meal TEXT,
        list_versions TEXT NOT NULL,
        position TEXT,
        received_at_ms INTEGER NOT NULL,
        late INTEGER NOT NULL,
        batch_id TEXT NOT NULL,
        via_gateway_id TEXT,
        PRIMARY KEY (device_id, seq)
      ) WITHOUT ROWID;

      -- Per device: the highest seq seen. committedUpTo follows from it and the open gaps.
      CREATE TABLE device_seq (
        device_id TEXT PRIMARY KEY NOT NULL,
        max_seq INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Missing ranges [from_seq, to_seq] since opened_at_ms; closed_at_ms set when the last
      -- missing seq arrived. Open gaps of a device are disjoint.
      CREATE TABLE seq_gap (
        device_id TEXT NOT NULL,
        from_seq INTEGER NOT NULL,
        to_seq INTEGER NOT NULL,
        opened_at_ms INTEGER NOT NULL,
        closed_at_ms INTEGER
      );
      CREATE UNIQUE INDEX seq_gap_open ON seq_gap (device_id, from_seq) WHERE closed_at_ms IS NULL;
      CREATE INDEX seq_gap_device ON seq_gap (device_id, closed_at_ms);

      -- The latest status per device (terminal or gateway). heartbeat: the last online one, JSON.
      CREATE TABLE device_status (
        device_id TEXT PRIMARY KEY NOT NULL,
        kind TEXT,
        online INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        offline_since_ms INTEGER,
        heartbeat TEXT
      ) WITHOUT ROWID;

      -- The list versions of each device's latest heartbeat, for the propagation view.
      CREATE TABLE device_list (
        device_id TEXT NOT NULL,
        list TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (list, device_id)
      ) WITHOUT ROWID;
      CREATE INDEX device_list_version ON device_list (list, version);
    `,
  },
  {
    version: 2,
    name: 'statuses relayed by a gateway',
    sql: `
      -- The gateway that relayed the latest status (rescard/v1/gw/{id}/terminals), NULL when the
      -- device sent it itself. last_seen_ms is then when the gateway received it.
      ALTER TABLE device_status ADD COLUMN via_gateway_id TEXT;
    `,
  },
  {
    version: 3,
    name: 'indexes for the operator reports and the card lookup',
    sql: `
      -- Reports read counted taps by time (trips, attendance, meals) and all taps by time
      -- (drill-downs, anomalies); without these every report scans the whole table.
      CREATE INDEX tap_counted_time ON tap (counted, wall_ms) WHERE counted IS NOT NULL;
      CREATE INDEX tap_time ON tap (wall_ms);
      -- "Why was this card denied": a card's last taps (server/src/registry/tap-lookup.ts).
      CREATE INDEX tap_token ON tap (token, wall_ms);
      CREATE INDEX tap_par_token ON tap (par_token, wall_ms) WHERE par_token IS NOT NULL;
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

const SERVER_SCHEMA: SqliteSchema = { name: 'server database', code: 'SERVER_STORE_FAILURE', migrations: MIGRATIONS, newerAdvice: 'install the newer server' };

export function migrate(db: SqliteDb): { from: number; to: number } {
  return runMigrations(db, SERVER_SCHEMA);
}
