/** @rescard/shared/sqlite: the schema-migration runner of every SQLite file (no better-sqlite3 import). */
export * from './migrate.js';
export * from './open-migrated.js';
