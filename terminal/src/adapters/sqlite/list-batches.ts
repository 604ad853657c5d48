/**
 * Multi-row statements on list_entry for bulk work (snapshot swap, delta apply: delete then
 * insert per window of keys, sqlite-list-store.ts). One
 * better-sqlite3 call per row costs more than SQLite's own work for it (the bind and the call
 * across into C): a 1M-entry snapshot is 10,000 calls of BATCH_ROWS rows, not 1M calls.
 * Statements are prepared once per row count (a full batch, and one per remainder size seen).
 *
 * keyOrder() is SQLite's order of list_entry keys within one list (token column, BLOB affinity):
 * every TEXT before every BLOB, each compared bytewise. The snapshot loader uses it to notice
 * whether rows arrive in key order (the server writes them so): then each insert lands at the
 * right edge of the B-tree, the cheap case.
 */
import type Database from 'better-sqlite3';
import { ENTRY_COLUMNS, placeholders, type Key } from './list-rows.js';

/** Rows per statement: 6 parameters each, far below SQLite's 32,766-parameter limit. */
export const BATCH_ROWS = 100;

const ROW = `(${placeholders(6)})`;

export type EntryParams = [Key, string | null, string | null, string | null, string | null];
export type Param = Key | string | null;

export function keyOrder(a: Key, b: Key): number {
  if (typeof a === 'string') return typeof b === 'string' ? Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) : -1;
  return typeof b === 'string' ? 1 : Buffer.compare(a, b);
}

export class ListBatches {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** INSERT rows of `list` (a token twice raises SQLITE_CONSTRAINT_PRIMARYKEY); `target` is main or temp. */
  insert(target: 'list_entry' | 'temp.list_stage', list: string, rows: readonly EntryParams[]): void {
    if (rows.length === 0) return;
    const flat: Param[] = [];
    for (const r of rows) {
      if (target === 'list_entry') flat.push(list);
      flat.push(...r);
    }
    this.insertFlat(target, rows.length, flat);
  }

  /** insert() with the parameters already flat: per row (list,) token, category, valid_from, valid_to, attrs. */
  insertFlat(target: 'list_entry' | 'temp.list_stage', rowCount: number, flat: readonly Param[]): void {
    if (rowCount === 0) return;
    const values = target === 'list_entry' ? ROW : `(${placeholders(5)})`;
    const stmt = this.statement(`ins:${target}:${rowCount}`, () =>
      `INSERT INTO ${target} ${target === 'list_entry' ? `(${ENTRY_COLUMNS}) ` : ''}VALUES ${Array.from({ length: rowCount }, () => values).join(', ')}`);
    stmt.run(flat);
  }

  /** Delete these tokens of `list`; returns how many rows went. */
  delete(list: string, keys: readonly Key[]): number {
    if (keys.length === 0) return 0;
    const stmt = this.statement(`del:${keys.length}`, () => `DELETE FROM list_entry WHERE list = ? AND token IN (${placeholders(keys.length)})`);
    return stmt.run(list, ...keys).changes;
  }

  private statement(key: string, sql: () => string): Database.Statement {
    let stmt = this.cache.get(key);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql());
      this.cache.set(key, stmt);
    }
    return stmt;
  }
}

/** Run `fn` on consecutive slices of at most BATCH_ROWS items. */
export function inBatches<T>(items: readonly T[], fn: (slice: readonly T[]) => void): void {
  for (let i = 0; i < items.length; i += BATCH_ROWS) fn(items.slice(i, i + BATCH_ROWS));
}
