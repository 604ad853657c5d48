/** Test helpers: real SQLite files in a temporary folder, and a small three-step schema. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteSchema } from './migrate.js';

/** A new file path in its own temporary folder. */
export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'rescard-sqlite-')), 'test.db');
}

/** A connection as the programs open theirs (WAL); `timeoutMs` 0: a busy lock fails at once. */
export function connect(path: string, timeoutMs = 0): Database.Database {
  const db = new Database(path, { timeout: timeoutMs });
  db.pragma('journal_mode = WAL');
  return db;
}

export const SCHEMA: SqliteSchema = {
  name: 'test database',
  code: 'STORE_FAILURE',
  newerAdvice: 'install the newer test program',
  olderAdvice: 'run the upgrade',
  migrations: [
    { version: 1, name: 'cards', sql: 'CREATE TABLE card (token TEXT PRIMARY KEY NOT NULL, category TEXT);' },
    { version: 2, name: 'card notes', sql: 'ALTER TABLE card ADD COLUMN note TEXT;' },
    {
      version: 3,
      name: 'cards by category',
      sql: `
        CREATE TABLE card_v3 (token TEXT PRIMARY KEY NOT NULL, category TEXT NOT NULL DEFAULT 'NONE', note TEXT) WITHOUT ROWID;
        INSERT INTO card_v3 (token, category, note) SELECT token, coalesce(category, 'NONE'), note FROM card;
        DROP TABLE card;
        ALTER TABLE card_v3 RENAME TO card;
        CREATE INDEX card_category ON card (category);
      `,
    },
  ],
};

/** The first `n` steps of SCHEMA: what an older program shipped. */
export function schemaUpTo(n: number): SqliteSchema {
  return { ...SCHEMA, migrations: SCHEMA.migrations.slice(0, n) };
}

export function userVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The schema as SQLite holds it: every table, index and trigger with its SQL. */
export function schemaOf(db: Database.Database): unknown[] {
  return db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();
}
