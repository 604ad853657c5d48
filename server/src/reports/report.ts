/**
 * One report: its name, its columns (the header row and the JSON keys, in order) and `rows`,
 * which prepares its statements at once (so SQL errors surface before any byte is sent) and
 * returns a lazy iterable over the shaped rows (better-sqlite3 `.iterate()` underneath).
 */
import type { Column } from './report-format.js';
import type { ReportDb } from './report-db.js';
import type { ReportQuery } from './report-query.js';
import type { RosterSource } from './roster-source.js';
import type { MealCategorySource } from './meal-category-source.js';

export interface ReportDeps {
  readonly roster: RosterSource;
  readonly mealCategories: MealCategorySource | null;
}

export interface Report<R> {
  readonly name: string;
  readonly columns: readonly Column<R>[];
  rows(db: ReportDb, q: ReportQuery, deps: ReportDeps): Iterable<R>;
}

/** Columns from a row type whose fields are the cells, in the given order. */
export function columnsOf<R>(names: readonly (keyof R & string)[]): Column<R>[] {
  return names.map((name) => ({ name, get: (row: R) => row[name] as never }));
}

/** `stmt.iterate()` mapped through a pure shaping function, lazily. */
export function* mapRows<S, R>(rows: IterableIterator<S>, shape: (row: S) => R): Generator<R> {
  for (const row of rows) yield shape(row);
}
