/**
 * Consecutive rows with the same key, as groups: the SQL orders by the key, so each group is
 * complete when the key changes. Holds one group at a time (e.g. one school's day).
 */
export function* groupRuns<T>(rows: Iterable<T>, keyOf: (row: T) => string): Generator<{ key: string; rows: T[] }> {
  let key: string | null = null;
  let run: T[] = [];
  for (const row of rows) {
    const k = keyOf(row);
    if (k !== key) {
      if (key !== null) yield { key, rows: run };
      key = k;
      run = [];
    }
    run.push(row);
  }
  if (key !== null) yield { key, rows: run };
}

/** Byte-order comparison (not locale): the same order on every machine. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
