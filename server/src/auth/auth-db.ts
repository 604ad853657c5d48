/**
 * The operator-access database, dataDir/auth/auth.db (SQLite, WAL, synchronous=FULL), apart from
 * server.db so the ingest's hot path never waits on a login. Schema version in `PRAGMA
 * user_version`, migrated by the shared runner (@rescard/shared/sqlite): append migrations, never
 * edit a shipped one.
 *
 *   account     username (unique, case-insensitive), role, scope (JSON), scrypt hash (PHC), disabled
 *   credential  login sessions and API tokens: only the token's SHA-256; expiry, revocation
 *   audit       append-only: triggers refuse UPDATE and DELETE (the code has no such statement)
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RescardError } from '@rescard/shared';
import { openMigrated, type SqliteMigration } from '@rescard/shared/sqlite';
import Database from 'better-sqlite3';

export type AuthDb = Database.Database;

const SCHEMA = `
CREATE TABLE account (
  id             TEXT PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role           TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'school', 'carrier', 'auditor', 'technician')),
  scope          TEXT NOT NULL DEFAULT '{"schools":[],"carriers":[],"routes":[]}',
  password_hash  TEXT,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE TABLE credential (
  id             TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES account (id),
  kind           TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name           TEXT,
  token_sha256   TEXT NOT NULL UNIQUE,
  created_at_ms  INTEGER NOT NULL,
  expires_at_ms  INTEGER,
  revoked_at_ms  INTEGER
) STRICT;
CREATE INDEX credential_account ON credential (account_id);
CREATE TABLE audit (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms          INTEGER NOT NULL,
  event          TEXT NOT NULL,
  actor_id       TEXT,
  actor_name     TEXT,
  actor_role     TEXT,
  credential_id  TEXT,
  method         TEXT,
  route          TEXT,
  target         TEXT,
  status         INTEGER,
  why            TEXT,
  ip             TEXT
) STRICT;
CREATE INDEX audit_at ON audit (at_ms);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

const MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, name: 'accounts, credentials, audit', sql: SCHEMA }];

const PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];

export function storeError(err: unknown, what: string): RescardError {
  if (err instanceof RescardError) return err;
  return new RescardError('AUTH_STORE_FAILURE', `auth.db: ${what}: ${err instanceof Error ? err.message : String(err)}`, { status: 503 }, { cause: err });
}

export function openAuthDb(path: string): AuthDb {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const schema = { name: path, code: 'AUTH_STORE_FAILURE', migrations: MIGRATIONS, newerAdvice: 'install the newer server' } as const;
    return openMigrated(() => new Database(path), schema, { pragmas: PRAGMAS }).db;
  } catch (err) {
    throw storeError(err, `open ${path}`);
  }
}
