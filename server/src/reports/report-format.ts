/**
 * The byte formats of every report, fixed so that the same rows always give the same bytes:
 *
 * - csv: RFC 4180. Comma separator, CRLF line ends, UTF-8 without a BOM, a header row of the
 *   column names. A field is quoted ("…", inner quotes doubled) only when it holds a comma, a
 *   quote, CR or LF. null is an empty field; booleans are `true` / `false`.
 * - json: one JSON array, streamed: `[` then one object per line (`,` before every row after the
 *   first) then `]` and a final LF. Keys in column order.
 * - ndjson: one JSON object per line (LF), no array around them.
 *
 * Numbers: integers as integers; any other number is rounded to 3 decimals (CSV: always written
 * with 3 decimals, e.g. `12.500`; JSON: the rounded number). No timestamp of the run anywhere.
 */
export const FORMATS = ['csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | boolean | null;

export interface Column<R> {
  readonly name: string;
  readonly get: (row: R) => Cell;
}

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : round3(value).toFixed(3);
  const text = typeof value === 'boolean' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly Cell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function jsonValue(value: Cell): Cell {
  return typeof value === 'number' && !Number.isInteger(value) ? round3(value) : value;
}

export function jsonObject<R>(columns: readonly Column<R>[], row: R): string {
  const out: Record<string, Cell> = {};
  for (const c of columns) out[c.name] = jsonValue(c.get(row));
  return JSON.stringify(out);
}

/** Turns rows into the text of one format, piece by piece: head, each row, tail. */
export interface Encoder<R> {
  head(): string;
  row(row: R): string;
  tail(): string;
}

export function encoder<R>(format: Format, columns: readonly Column<R>[]): Encoder<R> {
  if (format === 'csv') {
    return { head: () => csvLine(columns.map((c) => c.name)), row: (r) => csvLine(columns.map((c) => c.get(r))), tail: () => '' };
  }
  if (format === 'ndjson') return { head: () => '', row: (r) => `${jsonObject(columns, r)}\n`, tail: () => '' };
  let first = true;
  return {
    head: () => '[',
    row: (r) => {
      const sep = first ? '\n' : ',\n';
      first = false;
      return sep + jsonObject(columns, r);
    },
    tail: () => (first ? ']\n' : '\n]\n'),
  };
}
