/**
 * Multi-row statements on list_entry and list_delta_entry for bulk work (snapshot swap, delta
 * apply, folding pending delta rows: sqlite-list-store.ts). One
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
import { STORED_COLUMNS, placeholders, type Key } from './list-rows.js';

/** Rows per statement: 7 parameters each, far below SQLite's 32,766-parameter limit. */
export const BATCH_ROWS = 100;

export type EntryParams = [Key, string | null, string | null, string | null, string | null];
export type Param = Key | string | number | null;

export function keyOrder(a: Key, b: Key): number {
  if (typeof a === 'string') return typeof b === 'string' ? Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) : -1;
  return typeof b === 'string' ? 1 : Buffer.compare(a, b);
}

/**
 * A string whose plain `<` order is keyOrder(): "0" + a TEXT key's UTF-8 bytes, "1" + a BLOB's
 * bytes, each byte one latin1 character. Sorting thousands of keys by these is ~5x faster than
 * calling keyOrder (a Buffer.compare per comparison).
 */
export function keyOrderString(key: Key): string {
  return typeof key === 'string' ? `0${Buffer.from(key, 'utf8').toString('latin1')}` : `1${key.toString('latin1')}`;
}

export class ListBatches {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** INSERT rows of `list` generation `gen` (a token twice raises SQLITE_CONSTRAINT_PRIMARYKEY). */
  insert(list: string, gen: number, rows: readonly EntryParams[]): void {
    if (rows.length === 0) return;
    const flat: Param[] = [];
    for (const r of rows) flat.push(list, gen, ...r);
    this.insertFlat('list_entry', rows.length, flat);
  }

  /**
   * insert() with the parameters already flat, per row: list, gen, token, category, valid_from,
   * valid_to, attrs into list_entry; token, category, valid_from, valid_to, attrs into the stage.
   */
  insertFlat(target: 'list_entry' | 'temp.list_stage', rowCount: number, flat: readonly Param[]): void {
    if (rowCount === 0) return;
    const values = target === 'list_entry' ? `(${placeholders(7)})` : `(${placeholders(5)})`;
    const stmt = this.statement(`ins:${target}:${rowCount}`, () =>
      `INSERT INTO ${target} ${target === 'list_entry' ? `(${STORED_COLUMNS}) ` : ''}VALUES ${Array.from({ length: rowCount }, () => values).join(', ')}`);
    stmt.run(flat);
  }

  /** Delete these tokens from generation `gen` of `list`; returns how many rows went. */
  deleteEntries(list: string, gen: number, keys: readonly Key[]): number {
    if (keys.length === 0) return 0;
    const stmt = this.statement(`del:entry:${keys.length}`, () => `DELETE FROM list_entry WHERE list = ? AND gen = ? AND token IN (${placeholders(keys.length)})`);
    return stmt.run(list, gen, ...keys).changes;
  }

  /** Delete these tokens' pending delta rows of `list`. */
  deletePending(list: string, keys: readonly Key[]): number {
    if (keys.length === 0) return 0;
    const stmt = this.statement(`del:pending:${keys.length}`, () => `DELETE FROM list_delta_entry WHERE list = ? AND token IN (${placeholders(keys.length)})`);
    return stmt.run(list, ...keys).changes;
  }

  /**
   * Record a delta's rows of `list` as pending (list_delta_entry, replacing what an earlier delta
   * left there): a row is the entry put, null a deletion.
   */
  putPending(list: string, items: readonly { readonly key: Key; readonly row: EntryParams | null }[]): void {
    if (items.length === 0) return;
    const flat: Param[] = [];
    for (const { key, row } of items) {
      if (row === null) flat.push(list, key, 0, null, null, null, null);
      else flat.push(list, key, 1, ...row.slice(1));
    }
    const stmt = this.statement(`pending:${items.length}`, () => `INSERT OR REPLACE INTO list_delta_entry (list, token, live, category, valid_from, valid_to, attrs)
      VALUES ${Array.from({ length: items.length }, () => `(${placeholders(7)})`).join(', ')}`);
    stmt.run(flat);
  }

  /**
   * How many of these tokens `list` holds now: its rows of generation `gen` (the one in force) not
   * shadowed by a pending row, plus its live pending rows.
   */
  countHeld(list: string, gen: number, keys: readonly Key[]): number {
    if (keys.length === 0) return 0;
    const stmt = this.statement(`held:${keys.length}`, () => {
      const ks = placeholders(keys.length);
      return `SELECT (SELECT count(*) FROM list_entry e WHERE e.list = ? AND e.gen = ? AND e.token IN (${ks})
          AND NOT EXISTS (SELECT 1 FROM list_delta_entry d WHERE d.list = e.list AND d.token = e.token))
        + (SELECT count(*) FROM list_delta_entry WHERE list = ? AND live = 1 AND token IN (${ks})) AS n`;
    });
    return (stmt.get(list, gen, ...keys, list, ...keys) as { n: number }).n;
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
