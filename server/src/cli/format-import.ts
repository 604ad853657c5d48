/**
 * `rescard import`: the progress line (upload bytes, then the server's phase and row counts from
 * GET /api/imports/:id), the result (rows, list versions) and the line-numbered errors of a
 * rejected file. Shapes: server/src/registry/registry-schemas.ts importRecord. Pure.
 */
import { formatBytes } from './format-table.js';

export interface ImportProgressView {
  readonly phase: string;
  readonly rowsParsed: number;
  readonly rowsValid?: number;
  readonly errorCount: number;
}

export interface ImportVersionView {
  readonly list: string;
  readonly audience: string;
  readonly version: number;
  readonly changed: boolean;
  readonly count: number;
}

export interface ImportRecordView {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly rows: number;
  readonly rowsValid?: number;
  readonly errorCount: number;
  readonly sizeBytes?: number;
  readonly sha256?: string | null;
  readonly message?: string | null;
  readonly versions: readonly ImportVersionView[];
  readonly progress?: ImportProgressView;
}

export interface LineError {
  readonly line: number;
  readonly message: string;
}

export function formatImportProgress(sentBytes: number, sizeBytes: number, server: ImportProgressView | null): string {
  const pct = sizeBytes > 0 ? Math.min(100, Math.floor((sentBytes / sizeBytes) * 100)) : 100;
  const upload = `upload ${formatBytes(sentBytes)} / ${formatBytes(sizeBytes)} (${pct}%)`;
  if (server === null) return upload;
  const rows = `${server.rowsParsed.toLocaleString('en-US')} rows`;
  const errors = server.errorCount > 0 ? `, ${server.errorCount} error(s)` : '';
  return `${upload} · server: ${server.phase}, ${rows}${errors}`;
}

export function formatImportResult(r: ImportRecordView): string {
  const head = r.status === 'unchanged'
    ? `import ${r.id}: unchanged (the lists already hold this content), ${r.rows} rows`
    : `import ${r.id}: ${r.status}, ${r.rows} rows`;
  const lines = [head];
  for (const v of r.versions) {
    lines.push(`  ${v.list} ${v.audience}: version ${v.version}${v.changed ? '' : ' (no change)'}, ${v.count} entries`);
  }
  return lines.join('\n') + '\n';
}

/** The error lines of a rejected import (`error.details` of IMPORT_INVALID). */
export function formatImportErrors(details: Readonly<Record<string, unknown>>): string {
  const raw = details['errors'];
  const errors: LineError[] = Array.isArray(raw)
    ? raw.filter((e): e is LineError => typeof e === 'object' && e !== null && typeof (e as LineError).line === 'number' && typeof (e as LineError).message === 'string')
    : [];
  if (errors.length === 0) return '';
  const total = typeof details['errorCount'] === 'number' ? details['errorCount'] : errors.length;
  const lines = errors.map((e) => `  line ${e.line}: ${e.message}`);
  if (total > errors.length) lines.push(`  … and ${total - errors.length} more`);
  return lines.join('\n') + '\n';
}
