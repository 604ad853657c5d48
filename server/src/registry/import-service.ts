/**
 * CSV imports (docs/imports.md): parse → validate line by line → tokenise → stage, then, only if
 * the whole file is valid, one setEntries per (list, audience) it names. Imports run one at a time.
 *
 * - All or nothing: any error (up to `maxErrors` are listed, all are counted) and no list is
 *   touched. The lists are separate versioned lists, so "nothing" is guaranteed by validating
 *   everything before the first setEntries; a store failure between two audiences leaves the
 *   import `failed` with the versions already made, and uploading the same file again completes it.
 * - Re-importing the same content changes nothing: a group whose staged entries equal, row for
 *   row, what registry.db recorded from the last import applied to it, on a list still at the
 *   version that import made, is skipped (and setEntries itself makes no version for identical
 *   content, e.g. after a change through another route).
 * - PANs are tokenised in the row handler; errors carry a masked PAN at most.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { RescardError, type ListFileListName } from '@rescard/shared';
import type { Logger } from 'pino';
import type { ListService } from '../lists/index.js';
import { ImportRecords, type ImportLineError, type ImportRecord, type ImportVersion } from './import-records.js';
import { ImportRowHandler } from './import-rows.js';
import type { ImportKind, KindRules } from './import-kinds.js';
import { ImportStage } from './import-stage.js';
import { readCsv } from './csv-rows.js';
import { openImportConnection, registryStoreError } from './registry-db.js';

export type ListsPort = Pick<ListService, 'setEntries' | 'states'>;

export interface ImportServiceDeps {
  readonly db: Database.Database;
  readonly dbPath: string;
  readonly lists: ListsPort;
  readonly rules: KindRules;
  readonly clock: { wallMs(): number };
  readonly log: Logger;
  readonly maxBytes: number;
  readonly maxErrors?: number;
}

export type ImportPhase = 'queued' | 'parsing' | 'comparing' | 'applying' | 'finished';

export interface ImportProgress {
  readonly phase: ImportPhase;
  readonly rowsParsed: number;
  readonly rowsValid: number;
  readonly errorCount: number;
  readonly sizeBytes: number;
}

export interface RunImportOptions {
  readonly actor: string;
  /**
   * A school-limited import (a school account's upload): every row must name this school, and
   * only its lists change. Rosters and canteen entitlements only: holders are region-wide.
   */
  readonly onlySchool?: string;
  readonly id?: string;
  readonly onProgress?: (p: ImportProgress) => void;
}

const PROGRESS_EVERY = 50_000;

export function createImportService(deps: ImportServiceDeps): {
  run(kind: ImportKind, body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, opts: RunImportOptions): Promise<ImportRecord>;
  get(id: string): (ImportRecord & { progress?: ImportProgress }) | null;
  recent(limit: number): ImportRecord[];
} {
  const log = deps.log.child({ module: 'imports' });
  const records = new ImportRecords(deps.db);
  const live = new Map<string, ImportProgress>();
  let chain: Promise<unknown> = Promise.resolve();

  async function execute(id: string, kind: ImportKind, body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, opts: RunImportOptions): Promise<ImportRecord> {
    let progress: ImportProgress = { phase: 'parsing', rowsParsed: 0, rowsValid: 0, errorCount: 0, sizeBytes: 0 };
    const report = (p: Partial<ImportProgress>): void => {
      progress = { ...progress, ...p };
      live.set(id, progress);
      opts.onProgress?.(progress);
    };
    report({});
    const conn = openImportConnection(deps.dbPath);
    const stage = new ImportStage(conn);
    const versions: ImportVersion[] = [];
    const finish = (status: ImportRecord['status'], fields: Partial<Pick<ImportRecord, 'sha256' | 'sizeBytes' | 'rows' | 'rowsValid' | 'errorCount' | 'errors' | 'message'>>): ImportRecord =>
      records.finish(id, { status, finishedAtMs: deps.clock.wallMs(), versions, ...fields });
    try {
      const rows = new ImportRowHandler(kind, deps.rules, stage, deps.maxErrors ?? 100, opts.onlySchool, (n, valid, errors) => {
        if (n % PROGRESS_EVERY === 0) {
          report({ rowsParsed: n, rowsValid: valid, errorCount: errors });
          log.info({ importId: id, rows: n, valid, errors }, 'import progress');
        }
      });
      let file;
      try {
        file = await readCsv(body, { maxBytes: deps.maxBytes }, rows);
      } catch (err) {
        if (err instanceof RescardError && err.code === 'IMPORT_TOO_LARGE') finish('rejected', { message: err.message, errorCount: 1 });
        throw err;
      }
      const result = rows.finish();
      report({ rowsParsed: result.rows, rowsValid: result.valid, errorCount: result.errorCount, sizeBytes: file.sizeBytes });
      const counts = { sha256: file.sha256, sizeBytes: file.sizeBytes, rows: result.rows, rowsValid: result.valid, errorCount: result.errorCount, errors: result.errors };
      if (result.errorCount > 0) {
        const rec = finish('rejected', { ...counts, message: `${result.errorCount} error(s); nothing was applied` });
        log.warn({ importId: id, kind, errors: result.errorCount, firstLine: result.errors[0]?.line }, 'import rejected');
        throw new RescardError('IMPORT_INVALID', `${kind} import: ${result.errorCount} error(s), nothing was applied; first: ${describe(result.errors[0])}`, {
          importId: id, errorCount: result.errorCount, errors: result.errors, record: rec,
        });
      }
      report({ phase: 'comparing' });
      const plan = stage.groups().map((g) => {
        const src = records.source(g.list, g.audience);
        const before = deps.lists.states().find((s) => s.list === g.list && s.audience === g.audience)?.version ?? 0;
        return { g, before, same: src !== undefined && src.version === before && stage.sameAsRecorded(g) };
      });
      report({ phase: 'applying' });
      for (const { g, before, same } of plan) {
        if (same) {
          versions.push({ list: g.list, audience: g.audience, version: before, changed: false, count: g.count });
          continue;
        }
        const version = await deps.lists.setEntries(g.list as ListFileListName, g.audience, stage.entries(g));
        try {
          stage.record(g, id, file.sha256, version);
        } catch (err) {
          throw registryStoreError('record imported entries', err);
        }
        versions.push({ list: g.list, audience: g.audience, version, changed: version !== before, count: g.count });
      }
      const changed = versions.some((v) => v.changed);
      const rec = finish(changed ? 'applied' : 'unchanged', counts);
      log.info({ importId: id, kind, rows: result.rows, versions, sha256: file.sha256 }, changed ? 'import applied' : 'import unchanged');
      return rec;
    } catch (err) {
      if (records.get(id)?.status === 'running') {
        finish('failed', { message: err instanceof Error ? err.message.slice(0, 300) : 'failed' });
        log.error({ importId: id, kind, err, versions }, 'import failed');
      }
      throw err;
    } finally {
      report({ phase: 'finished' });
      live.delete(id);
      stage.close();
      conn.close();
    }
  }

  return {
    run(kind, body, opts) {
      if (opts.onlySchool !== undefined && kind === 'holders') {
        return Promise.reject(new RescardError('REQUEST_INVALID', 'benefit holders are region-wide: a school-limited import takes a roster or canteen entitlements', { kind, school: opts.onlySchool }));
      }
      const id = opts.id ?? `imp-${randomUUID()}`;
      records.start({ id, kind, actor: opts.actor, startedAtMs: deps.clock.wallMs() });
      live.set(id, { phase: 'queued', rowsParsed: 0, rowsValid: 0, errorCount: 0, sizeBytes: 0 });
      const run = chain.then(() => execute(id, kind, body, opts));
      chain = run.catch(() => undefined);
      return run;
    },
    get(id) {
      const rec = records.get(id);
      if (rec === null) return null;
      const p = live.get(id);
      return p === undefined ? rec : { ...rec, progress: p };
    },
    recent: (limit) => records.recent(limit),
  };
}

function describe(e: ImportLineError | undefined): string {
  return e === undefined ? '' : `line ${e.line}: ${e.message}`;
}
