/**
 * registry.db (dataDir/registry/registry.db): what the registries know beside the lists they
 * feed. Card tokens and masked PANs only, never a PAN. WAL + synchronous=FULL like server.db.
 *
 *   import_run      one row per import: kind, file SHA-256, rows, errors (first 100), actor,
 *                   started/finished, status, resulting list versions
 *   list_source     per (list, audience) fed by imports: the last import applied (its file's
 *                   SHA-256), its entry count and the list version it produced
 *   registry_entry  the entries the last applied import gave each (list, audience), for the
 *                   "why was this card denied" lookup
 *   stop_entry      the stop-list entries in force, with reason, note, expiry, who and when
 *   stop_event      every stop-list change (add, update, remove, expire), never deleted
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import { openMigrated, type SqliteMigration } from '@rescard/shared/sqlite';

// Migrations are append-only: add a new version, never edit one that has shipped. v1 keeps
// IF NOT EXISTS: registry.db files of before the versioning have its tables at user_version 0.
const V1 = `
CREATE TABLE IF NOT EXISTS import_run (id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, sha256 TEXT, size_bytes INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0, rows_valid INTEGER NOT NULL DEFAULT 0, error_count INTEGER NOT NULL DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL, message TEXT, actor TEXT NOT NULL, started_at_ms INTEGER NOT NULL, finished_at_ms INTEGER, versions TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS import_run_started ON import_run (started_at_ms);
CREATE TABLE IF NOT EXISTS list_source (list TEXT NOT NULL, audience TEXT NOT NULL, sha256 TEXT NOT NULL, count INTEGER NOT NULL,
  version INTEGER NOT NULL, import_id TEXT NOT NULL, PRIMARY KEY (list, audience)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry_entry (list TEXT NOT NULL, audience TEXT NOT NULL, token TEXT NOT NULL, category TEXT,
  valid_from TEXT, valid_to TEXT, attrs TEXT NOT NULL, import_id TEXT NOT NULL, PRIMARY KEY (list, audience, token)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS registry_entry_token ON registry_entry (token);
CREATE TABLE IF NOT EXISTS stop_entry (token TEXT PRIMARY KEY NOT NULL, kid TEXT NOT NULL, reason TEXT NOT NULL, note TEXT,
  expires_at_ms INTEGER, pan_masked TEXT, added_by TEXT NOT NULL, added_at_ms INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stop_entry_expiry ON stop_entry (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
CREATE TABLE IF NOT EXISTS stop_event (id INTEGER PRIMARY KEY, token TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, note TEXT,
  expires_at_ms INTEGER, pan_masked TEXT, actor TEXT NOT NULL, at_ms INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS stop_event_token ON stop_event (token, id);`;

const MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, name: 'registries and stop-list', sql: V1 }];

export function registryStoreError(what: string, err: unknown): RescardError {
  if (err instanceof RescardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RescardError('REGISTRY_STORE_FAILURE', `registry database: ${what} failed: ${message}`, { what }, { cause: err });
}

/** Opens (creating when missing) registry.db with its schema. */
export function openRegistryDb(path: string): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const schema = { name: `registry database ${path}`, code: 'REGISTRY_STORE_FAILURE', migrations: MIGRATIONS, newerAdvice: 'install the newer server' } as const;
    const { db } = openMigrated(() => new Database(path, { timeout: 5000 }), schema, { pragmas: ['journal_mode = WAL', 'synchronous = FULL'] });
    return db;
  } catch (err) {
    throw registryStoreError('open', err);
  }
}

/** A second connection for a long import: its TEMP staging table and iterators never block the stop-list. */
export function openImportConnection(path: string): Database.Database {
  try {
    const db = new Database(path, { timeout: 5000 });
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = FILE');
    db.pragma('temp.cache_size = -65536');
    return db;
  } catch (err) {
    throw registryStoreError('open import connection', err);
  }
}
