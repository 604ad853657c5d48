/**
 * Schema migrations of the device database, run by the shared runner (@rescard/shared/sqlite):
 * `PRAGMA user_version` is the schema version, each migration is its own IMMEDIATE transaction,
 * and a current database is opened without a write lock. Append new migrations; never edit one
 * that has shipped.
 */
import { latestVersion, runMigrations, type SqliteDb, type SqliteMigration, type SqliteSchema } from '@rescard/shared/sqlite';

export const MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'lists, usage history, journal, device meta',
    sql: `
      CREATE TABLE device_meta (key TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;
      INSERT INTO device_meta (key, value) VALUES ('next_seq', 1);

      CREATE TABLE list_meta (
        list TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL,
        issued_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        count INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- token: 32-byte BLOB for base64url tokens, TEXT otherwise (token-key.ts).
      -- attrs: JSON text, NULL when empty ({}), to keep 10M rows small.
      CREATE TABLE list_entry (
        list TEXT NOT NULL,
        token BLOB NOT NULL,
        category TEXT,
        valid_from TEXT,
        valid_to TEXT,
        attrs TEXT,
        PRIMARY KEY (list, token)
      ) WITHOUT ROWID;

      -- seq is the seq of the tap that recorded the event. Kept usageRetentionDays (40) days.
      -- Clustered by token (WITHOUT ROWID): a tap's insert, the token's history read and the
      -- token's own pruning all touch one leaf page, the only page a usage event dirties.
      CREATE TABLE usage_event (
        token BLOB NOT NULL,
        seq INTEGER NOT NULL,
        wall_ms REAL NOT NULL,
        mono_ms REAL NOT NULL,
        boot_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        direction TEXT,
        meal_window TEXT,
        amount_kopecks INTEGER NOT NULL,
        free INTEGER NOT NULL,
        PRIMARY KEY (token, seq)
      ) WITHOUT ROWID;

      -- Undelivered taps. context, decision, list_versions: JSON. Never a PAN.
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        tap_id TEXT NOT NULL,
        wall_ms REAL NOT NULL,
        mono_ms REAL NOT NULL,
        boot_id TEXT NOT NULL,
        token TEXT NOT NULL,
        kid TEXT NOT NULL,
        par_token TEXT,
        pan_masked TEXT NOT NULL,
        scheme TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        read_ms REAL NOT NULL,
        context TEXT NOT NULL,
        decision TEXT NOT NULL,
        list_versions TEXT NOT NULL,
        position TEXT,
        passage TEXT,
        ref_tap_id TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'pending delta rows',
    sql: `
      -- Rows of applied deltas not yet folded into list_entry (sqlite-list-store.ts): live = 1 is
      -- the entry as the delta put it, live = 0 a deletion. A token here shadows its list_entry row.
      CREATE TABLE list_delta_entry (
        list TEXT NOT NULL,
        token BLOB NOT NULL,
        live INTEGER NOT NULL,
        category TEXT,
        valid_from TEXT,
        valid_to TEXT,
        attrs TEXT,
        PRIMARY KEY (list, token)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'list generations',
    sql: `
      -- gen: which snapshot of the list a row belongs to. list_meta.gen is the one in force; a
      -- swap writes a new generation and flips list_meta.gen in the same transaction, and the
      -- rows of older generations are deleted afterwards in small steps (sqlite-list-store.ts).
      -- The rebuild copies rows in key order: ~2-3 s per 1M rows, once.
      CREATE TABLE list_entry_gen (
        list TEXT NOT NULL,
        gen INTEGER NOT NULL,
        token BLOB NOT NULL,
        category TEXT,
        valid_from TEXT,
        valid_to TEXT,
        attrs TEXT,
        PRIMARY KEY (list, gen, token)
      ) WITHOUT ROWID;
      INSERT INTO list_entry_gen (list, gen, token, category, valid_from, valid_to, attrs)
        SELECT list, 0, token, category, valid_from, valid_to, attrs FROM list_entry ORDER BY list, token;
      DROP TABLE list_entry;
      ALTER TABLE list_entry_gen RENAME TO list_entry;
      ALTER TABLE list_meta ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

const DEVICE_SCHEMA: SqliteSchema = {
  name: 'device database',
  code: 'STORE_FAILURE',
  migrations: MIGRATIONS,
  newerAdvice: 'install the newer terminal software',
  olderAdvice: 'restart the device software (rescard-terminal start) to upgrade it',
};

/**
 * Bring the schema up to SCHEMA_VERSION. Idempotent. Returns the versions before and after.
 * With `upgrade: false` only a new database (v0) is created; an older one is refused.
 */
export function migrate(db: SqliteDb, options: { upgrade: boolean } = { upgrade: true }): { from: number; to: number } {
  return runMigrations(db, DEVICE_SCHEMA, options);
}
