/**
 * The one schema-migration runner of rescard's SQLite files (device, server, gateway, auth, pki).
 * `PRAGMA user_version` is the schema version. Each migration runs in its own IMMEDIATE
 * transaction that also sets user_version, so a crash or a failing step leaves the database at
 * one version or the next, never between. Each program keeps its own migrations (the SQL):
 * append new ones, never edit one that has shipped.
 *
 * A database already at the program's version is opened without a write lock: user_version is
 * read before BEGIN IMMEDIATE, so a reader beside a busy writer (`rescard-terminal status` beside
 * a device mid list swap) never waits. It is read again inside the lock, as another process may
 * have migrated meanwhile.
 *
 * Typed structurally (SqliteDb): shared does not load better-sqlite3. A failing step's own error
 * (SqliteError) passes through; the caller translates it at its boundary, as for any other query.
 */
import { RescardError, type ErrorCode } from '../errors.js';

/** What the runner uses of a better-sqlite3 Database. */
export interface SqliteDb {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  transaction(fn: () => void): { immediate(): void };
}

export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** One database's schema: its migrations and how its refusals read. */
export interface SqliteSchema {
  /** As messages name it: 'device database', 'server database', 'gateway.db'. */
  readonly name: string;
  /** The catalogue code of this database's failures (STORE_FAILURE, SERVER_STORE_FAILURE, ...). */
  readonly code: ErrorCode;
  /** Versions 1, 2, 3, ... in order. */
  readonly migrations: readonly SqliteMigration[];
  /** What the operator does about a database newer than the program, e.g. 'install the newer server'. */
  readonly newerAdvice?: string;
  /** What the operator does about an older database opened with `upgrade: false`. */
  readonly olderAdvice?: string;
}

export interface MigrateOptions {
  /**
   * Bring an existing database of an older schema up to date (default true). With false only a
   * new database (v0) is created; an older one is refused and left untouched.
   */
  readonly upgrade?: boolean;
}

/** The schema version the migrations lead to (0 for none). */
export function latestVersion(migrations: readonly SqliteMigration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

export function userVersion(db: SqliteDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Bring the schema up to its latest version. Idempotent. Returns the versions before and after.
 * Refuses (schema.code) a database newer than the program, and an older one when `upgrade` is false.
 */
export function runMigrations(db: SqliteDb, schema: SqliteSchema, options: MigrateOptions = {}): { from: number; to: number } {
  checkOrder(schema);
  const latest = latestVersion(schema.migrations);
  const from = userVersion(db);
  if (options.upgrade === false && from > 0 && from < latest) throw refusal(schema, 'older', from, latest);
  if (from > latest) throw refusal(schema, 'newer', from, latest);
  for (const m of schema.migrations) {
    // Applied already: no write lock needed (see the top of this file).
    if (userVersion(db) >= m.version) continue;
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (userVersion(db) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: userVersion(db) };
}

function refusal(schema: SqliteSchema, how: 'older' | 'newer', found: number, latest: number): RescardError {
  const advice = how === 'older' ? schema.olderAdvice : schema.newerAdvice;
  const message = `${schema.name} schema v${found} is ${how} than this program (v${latest})${advice === undefined ? '' : `: ${advice}`}`;
  return new RescardError(schema.code, message, { schemaVersion: found, supportedVersion: latest });
}

/** A program error, not a database's: versions must run 1, 2, 3, ... so each step builds on the last. */
function checkOrder(schema: SqliteSchema): void {
  schema.migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new RescardError(schema.code, `${schema.name}: migration "${m.name}" is v${m.version}, expected v${i + 1}`, { migration: m.name });
    }
  });
}
