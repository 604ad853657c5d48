/**
 * Open, set up and migrate a database in one step, closing it again if any part fails: a caller
 * gets a usable handle or an error, never a half-opened file. `open` makes the connection (the
 * caller's better-sqlite3), so shared does not load the library.
 */
import { runMigrations, type MigrateOptions, type SqliteDb, type SqliteSchema } from './migrate.js';

export interface ClosableSqliteDb extends SqliteDb {
  close(): unknown;
}

export interface OpenMigratedOptions extends MigrateOptions {
  /** Run in order before the migrations, e.g. 'journal_mode = WAL'. */
  readonly pragmas?: readonly string[];
}

export function openMigrated<D extends ClosableSqliteDb>(
  open: () => D,
  schema: SqliteSchema,
  options: OpenMigratedOptions = {},
): { db: D; from: number; to: number } {
  const db = open();
  try {
    for (const pragma of options.pragmas ?? []) db.pragma(pragma);
    return { db, ...runMigrations(db, schema, options) };
  } catch (err) {
    db.close();
    throw err;
  }
}
