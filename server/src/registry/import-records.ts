/**
 * The import record table (import_run) and the last import applied per list (list_source) of registry.db.
 */
import type Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { ImportKind } from './import-kinds.js';
import { registryStoreError } from './registry-db.js';

export interface ImportLineError {
  readonly line: number;
  readonly message: string;
}

export interface ImportVersion {
  readonly list: string;
  readonly audience: string;
  readonly version: number;
  /** False when the list already had exactly this content (no new version). */
  readonly changed: boolean;
  readonly count: number;
}

export type ImportStatus = 'running' | 'applied' | 'unchanged' | 'rejected' | 'failed';

export interface ImportRecord {
  readonly id: string;
  readonly kind: ImportKind;
  readonly status: ImportStatus;
  readonly sha256: string | null;
  readonly sizeBytes: number;
  readonly rows: number;
  readonly rowsValid: number;
  readonly errorCount: number;
  readonly errors: readonly ImportLineError[];
  readonly message: string | null;
  readonly actor: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number | null;
  readonly versions: readonly ImportVersion[];
}

interface Row {
  id: string; kind: ImportKind; status: ImportStatus; sha256: string | null; size_bytes: number; rows: number; rows_valid: number;
  error_count: number; errors: string; message: string | null; actor: string; started_at_ms: number; finished_at_ms: number | null; versions: string;
}

const toRecord = (r: Row): ImportRecord => ({
  id: r.id, kind: r.kind, status: r.status, sha256: r.sha256, sizeBytes: r.size_bytes, rows: r.rows, rowsValid: r.rows_valid,
  errorCount: r.error_count, errors: JSON.parse(r.errors) as ImportLineError[], message: r.message, actor: r.actor,
  startedAtMs: r.started_at_ms, finishedAtMs: r.finished_at_ms, versions: JSON.parse(r.versions) as ImportVersion[],
});

export type ImportFinish = Partial<Pick<ImportRecord, 'sha256' | 'sizeBytes' | 'rows' | 'rowsValid' | 'errorCount' | 'errors' | 'message'>> &
  Pick<ImportRecord, 'status' | 'finishedAtMs' | 'versions'>;

export class ImportRecords {
  constructor(private readonly db: Database.Database) {}

  start(r: { id: string; kind: ImportKind; actor: string; startedAtMs: number }): void {
    if (this.get(r.id) !== null) throw new RescardError('REQUEST_INVALID', `import id ${r.id} is already used`, { importId: r.id });
    this.write('start import', () =>
      this.db.prepare(`INSERT INTO import_run (id, kind, status, actor, started_at_ms) VALUES (?, ?, 'running', ?, ?)`).run(r.id, r.kind, r.actor, r.startedAtMs),
    );
  }

  finish(id: string, f: ImportFinish): ImportRecord {
    this.write('finish import', () =>
      this.db
        .prepare(`UPDATE import_run SET status = ?, finished_at_ms = ?, versions = ?, sha256 = COALESCE(?, sha256), size_bytes = COALESCE(?, size_bytes),
          rows = COALESCE(?, rows), rows_valid = COALESCE(?, rows_valid), error_count = COALESCE(?, error_count), errors = COALESCE(?, errors),
          message = COALESCE(?, message) WHERE id = ?`)
        .run(f.status, f.finishedAtMs, JSON.stringify(f.versions), f.sha256 ?? null, f.sizeBytes ?? null, f.rows ?? null, f.rowsValid ?? null,
          f.errorCount ?? null, f.errors === undefined ? null : JSON.stringify(f.errors), f.message ?? null, id),
    );
    const rec = this.get(id);
    if (rec === null) throw new Error(`unreachable: import ${id} vanished`);
    return rec;
  }

  get(id: string): ImportRecord | null {
    const row = this.read('read import', () => this.db.prepare<[string], Row>('SELECT * FROM import_run WHERE id = ?').get(id));
    return row === undefined ? null : toRecord(row);
  }

  recent(limit: number): ImportRecord[] {
    return this.read('list imports', () => this.db.prepare<[number], Row>('SELECT * FROM import_run ORDER BY started_at_ms DESC, id LIMIT ?').all(limit)).map(toRecord);
  }

  source(list: string, audience: string): { sha256: string; version: number } | undefined {
    return this.read('read list source', () =>
      this.db.prepare<[string, string], { sha256: string; version: number }>('SELECT sha256, version FROM list_source WHERE list = ? AND audience = ?').get(list, audience),
    );
  }

  private write(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      throw registryStoreError(what, err);
    }
  }

  private read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw registryStoreError(what, err);
    }
  }
}
