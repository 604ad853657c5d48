/**
 * The staging of one import: a TEMP table on the import's own connection to registry.db (tokens
 * and masked PANs only; gone when the connection closes). Rows are appended in batches while the
 * file is parsed (append order: no random B-tree inserts); once parsed, one covering index is built
 * over (list, audience, token, …), which finds a card twice in one list and gives each list's entries in
 * token order. Nothing here touches a list: the import service reads the staged groups back
 * once the whole file is valid.
 */
import type Database from 'better-sqlite3';
import type { ListFileAttrs } from '@rescard/shared';
import type { ListEntryInput } from '../lists/index.js';
import type { StagedRow } from './import-kinds.js';

export interface StagedGroup {
  readonly list: string;
  readonly audience: string;
  readonly count: number;
}

export interface Duplicate {
  readonly line: number;
  readonly firstLine: number;
  readonly panMasked: string | null;
}

/** token, category, valid_from, valid_to, attrs (raw rows: no object per row from SQLite). */
type StageRow = [string, string | null, string | null, string | null, string];

const YIELD_EVERY = 10_000;
/** Parsed attrs by their JSON text: rows of one import share a handful of them. Bounded. */
const ATTRS_CACHE_MAX = 4096;

const SAME = 'e.category IS s.category AND e.valid_from IS s.valid_from AND e.valid_to IS s.valid_to AND e.attrs IS s.attrs';

export class ImportStage {
  private readonly insert;
  private readonly attrsCache = new Map<string, ListFileAttrs>();

  constructor(private readonly db: Database.Database) {
    db.exec(`DROP TABLE IF EXISTS temp.stage;
      CREATE TEMP TABLE stage (list TEXT NOT NULL, audience TEXT NOT NULL, token TEXT NOT NULL, line INTEGER NOT NULL, pan_masked TEXT,
        category TEXT, valid_from TEXT, valid_to TEXT, attrs TEXT NOT NULL)`);
    this.insert = db.prepare('INSERT INTO temp.stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** Append a batch in one transaction. */
  add(rows: readonly { line: number; row: StagedRow }[]): void {
    this.db.transaction(() => {
      for (const { line, row } of rows) {
        this.insert.run(row.list, row.audience, row.card.token, line, row.card.panMasked, row.category, row.validFrom, row.validTo, JSON.stringify(row.attrs));
      }
    })();
  }

  /** Index the staged rows; every row whose card already came earlier in the same list. */
  *seal(): Generator<Duplicate> {
    // Covering: the comparison and the ordered read-back walk the index alone, in token order,
    // instead of jumping to each row in file order (measured: the difference between seconds
    // and half a minute for 1M rows).
    this.db.exec('CREATE INDEX temp.stage_key ON stage (list, audience, token, category, valid_from, valid_to, attrs, line, pan_masked)');
    const twice = this.db.prepare<[], { list: string; audience: string; token: string }>(
      'SELECT list, audience, token FROM temp.stage GROUP BY list, audience, token HAVING COUNT(*) > 1',
    ).all();
    const lines = this.db.prepare<[string, string, string], { line: number; pan_masked: string | null }>(
      'SELECT line, pan_masked FROM temp.stage WHERE list = ? AND audience = ? AND token = ? ORDER BY line',
    );
    for (const k of twice) {
      const [first, ...rest] = lines.all(k.list, k.audience, k.token);
      for (const r of rest) yield { line: r.line, firstLine: first?.line ?? 0, panMasked: r.pan_masked };
    }
  }

  groups(): StagedGroup[] {
    return this.db.prepare<[], StagedGroup>('SELECT list, audience, COUNT(*) AS count FROM temp.stage GROUP BY list, audience ORDER BY list, audience').all();
  }

  /** True when registry.db records exactly these entries for the group (what the last applied import gave it). */
  sameAsRecorded(g: StagedGroup): boolean {
    const recorded = this.db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM main.registry_entry WHERE list = ? AND audience = ?').get(g.list, g.audience)?.n ?? 0;
    if (recorded !== g.count) return false;
    const differs = this.db.prepare<[string, string], { d: number }>(`SELECT EXISTS (SELECT 1 FROM temp.stage s WHERE s.list = ? AND s.audience = ? AND NOT EXISTS
      (SELECT 1 FROM main.registry_entry e WHERE e.list = s.list AND e.audience = s.audience AND e.token = s.token AND ${SAME})) AS d`).get(g.list, g.audience);
    return differs?.d === 0;
  }

  /** The group's entries for the list service, in token order, yielding to the event loop now and then. */
  async *entries(g: StagedGroup): AsyncGenerator<ListEntryInput> {
    const rows = this.db.prepare<[string, string], StageRow>(
      'SELECT token, category, valid_from, valid_to, attrs FROM temp.stage WHERE list = ? AND audience = ? ORDER BY token',
    ).raw(true);
    let n = 0;
    for (const [token, category, validFrom, validTo, attrs] of rows.iterate(g.list, g.audience)) {
      yield { token, category, validFrom, validTo, attrs: this.attrs(attrs) };
      if (++n % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Make the group the registry's record of (list, audience), in one transaction. */
  record(g: StagedGroup, importId: string, sha256: string, version: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM main.registry_entry WHERE list = ? AND audience = ?').run(g.list, g.audience);
      this.db.prepare(`INSERT INTO main.registry_entry SELECT list, audience, token, category, valid_from, valid_to, attrs, ? FROM temp.stage
        WHERE list = ? AND audience = ? ORDER BY token`).run(importId, g.list, g.audience);
      this.db.prepare(`INSERT INTO main.list_source VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (list, audience) DO UPDATE
        SET sha256 = excluded.sha256, count = excluded.count, version = excluded.version, import_id = excluded.import_id`)
        .run(g.list, g.audience, sha256, g.count, version, importId);
    }).immediate();
  }

  close(): void {
    this.db.exec('DROP TABLE IF EXISTS temp.stage');
  }

  private attrs(text: string): ListFileAttrs {
    let a = this.attrsCache.get(text);
    if (a === undefined) {
      a = JSON.parse(text) as ListFileAttrs;
      if (this.attrsCache.size < ATTRS_CACHE_MAX) this.attrsCache.set(text, a);
    }
    return a;
  }
}
