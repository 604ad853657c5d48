/**
 * The device registry's own database, dataDir/pki/pki.db (SQLite, WAL, synchronous=FULL): kept
 * apart from server.db so the ingest's hot path and the registry never share a write lock, and
 * so ca/ + pki/ can be backed up together. Schema version in `PRAGMA user_version`, migrated by
 * the shared runner (@rescard/shared/sqlite): append migrations, never edit a shipped one.
 *
 *   enrolment_token  one-time tokens: only their SHA-256 is stored; used_at_ms set once
 *   device           one row per device id: kind, profile, site, current certificate, state
 *   certificate      every certificate issued: serial, device, validity, revoked_at_ms
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RescardError } from '@rescard/shared';
import { openMigrated, type SqliteSchema } from '@rescard/shared/sqlite';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE enrolment_token (
  token_hash     TEXT PRIMARY KEY,
  device_id      TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('terminal', 'gateway')),
  profile        TEXT NOT NULL CHECK (profile IN ('bus', 'gate', 'canteen', 'gateway')),
  school_id      TEXT,
  route_id       TEXT,
  carrier_id     TEXT,
  vehicle_id     TEXT,
  created_by     TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  expires_at_ms  INTEGER NOT NULL,
  used_at_ms     INTEGER
) STRICT;
CREATE INDEX enrolment_token_device ON enrolment_token (device_id);
CREATE TABLE device (
  device_id      TEXT PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('terminal', 'gateway')),
  profile        TEXT NOT NULL CHECK (profile IN ('bus', 'gate', 'canteen', 'gateway')),
  school_id      TEXT,
  route_id       TEXT,
  carrier_id     TEXT,
  vehicle_id     TEXT,
  enrolled_at_ms INTEGER NOT NULL,
  enrolled_by    TEXT NOT NULL,
  cert_serial    TEXT NOT NULL,
  not_after_ms   INTEGER NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
  revoked_at_ms  INTEGER,
  revoked_by     TEXT,
  reason         TEXT
) STRICT;
CREATE TABLE certificate (
  serial         TEXT PRIMARY KEY,
  device_id      TEXT NOT NULL REFERENCES device (device_id),
  not_before_ms  INTEGER NOT NULL,
  not_after_ms   INTEGER NOT NULL,
  issued_at_ms   INTEGER NOT NULL,
  revoked_at_ms  INTEGER
) STRICT;
CREATE INDEX certificate_device ON certificate (device_id);
`;

const PKI_SCHEMA: SqliteSchema = {
  name: 'pki.db',
  code: 'PKI_STORE_FAILURE',
  migrations: [{ version: 1, name: 'enrolment tokens, devices, certificates', sql: SCHEMA }],
  newerAdvice: 'install the newer server',
};

const PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];

export function openPkiDb(path: string): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return openMigrated(() => new Database(path), PKI_SCHEMA, { pragmas: PRAGMAS }).db;
  } catch (err) {
    throw new RescardError('PKI_STORE_FAILURE', `device registry ${path}: ${err instanceof Error ? err.message : String(err)}`, { path }, { cause: err });
  }
}
