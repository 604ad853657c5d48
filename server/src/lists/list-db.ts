/**
 * The server's list state in SQLite (dataDir/lists/state.db, WAL, synchronous=FULL: a version a
 * device may already hold must never be handed out again with other content after a power cut).
 *
 *   list_state   per (list, audience): version (last committed), published (last announced, files
 *                built), published_base (that announcement's delta base), delta_floor (no delta may
 *                start below it: a snapshot source changed more than MAX_DELTA_RECORDS cards),
 *                files_expire_ms (expiry signed into the published files; re-signed at half-life)
 *   list_entry   the current entries, one row per card
 *   list_change  which cards changed at which version; rows at or below published_base are pruned
 *
 * Every mutation is one transaction that also bumps the version, so versions strictly increase
 * and a failed call leaves nothing behind. Files are built from a separate read connection
 * (list-db-reader.ts), so a multi-second snapshot build never blocks a stop-list change.
 */
import Database from 'better-sqlite3';
import { MAX_DELTA_RECORDS, RescardError } from '@rescard/shared';
import type { StoredEntry } from './list-input.js';

export interface ListKey {
  readonly list: string;
  readonly audience: string;
}

export interface ListState extends ListKey {
  readonly version: number;
  readonly published: number;
  readonly publishedBase: number | null;
  readonly deltaFloor: number;
  readonly filesExpireMs: number | null;
}

interface StateRow {
  list: string; audience: string; version: number; published: number; published_base: number | null; delta_floor: number; files_expire_ms: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS list_state (list TEXT NOT NULL, audience TEXT NOT NULL, version INTEGER NOT NULL,
  published INTEGER NOT NULL DEFAULT 0, published_base INTEGER, delta_floor INTEGER NOT NULL DEFAULT 0,
  files_expire_ms INTEGER, PRIMARY KEY (list, audience)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_entry (list TEXT NOT NULL, audience TEXT NOT NULL, token TEXT NOT NULL, category TEXT,
  valid_from TEXT, valid_to TEXT, attrs TEXT NOT NULL, PRIMARY KEY (list, audience, token)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_change (list TEXT NOT NULL, audience TEXT NOT NULL, version INTEGER NOT NULL, token TEXT NOT NULL,
  PRIMARY KEY (list, audience, version, token)) WITHOUT ROWID;`;

const SAME = `e.category IS s.category AND e.valid_from IS s.valid_from AND e.valid_to IS s.valid_to AND e.attrs IS s.attrs`;

export const stateFromRow = (r: StateRow): ListState => ({
  list: r.list, audience: r.audience, version: r.version, published: r.published, publishedBase: r.published_base,
  deltaFloor: r.delta_floor, filesExpireMs: r.files_expire_ms,
});

export class ListDb {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly s;

  constructor(path: string) {
    this.path = path;
    const db = (this.db = new Database(path));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS stage (token TEXT PRIMARY KEY, category TEXT, valid_from TEXT, valid_to TEXT, attrs TEXT NOT NULL) WITHOUT ROWID`);
    const k = 'list = ? AND audience = ?';
    this.s = {
      all: db.prepare<[], StateRow>('SELECT * FROM list_state ORDER BY audience, list'),
      one: db.prepare<[string, string], StateRow>(`SELECT * FROM list_state WHERE ${k}`),
      create: db.prepare(`INSERT OR IGNORE INTO list_state (list, audience, version) VALUES (?, ?, 0)`),
      bump: db.prepare(`UPDATE list_state SET version = ? WHERE ${k}`),
      floor: db.prepare(`UPDATE list_state SET delta_floor = ? WHERE ${k}`),
      change: db.prepare('INSERT OR IGNORE INTO list_change VALUES (?, ?, ?, ?)'),
      changes: db.prepare<[string, string, number], { n: number }>(`SELECT COUNT(*) AS n FROM list_change WHERE ${k} AND version = ?`),
      dropChanges: db.prepare(`DELETE FROM list_change WHERE ${k} AND version = ?`),
      pruneChanges: db.prepare(`DELETE FROM list_change WHERE ${k} AND version <= ?`),
      upsert: db.prepare(`INSERT INTO list_entry VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (list, audience, token) DO UPDATE
        SET category = excluded.category, valid_from = excluded.valid_from, valid_to = excluded.valid_to, attrs = excluded.attrs
        WHERE NOT (category IS excluded.category AND valid_from IS excluded.valid_from AND valid_to IS excluded.valid_to AND attrs IS excluded.attrs)`),
      remove: db.prepare(`DELETE FROM list_entry WHERE ${k} AND token = ?`),
      stage: db.prepare('INSERT INTO temp.stage VALUES (?, ?, ?, ?, ?)'),
      clearStage: db.prepare('DELETE FROM temp.stage'),
      diffChanged: db.prepare(`INSERT OR IGNORE INTO list_change SELECT ?, ?, ?, s.token FROM temp.stage s
        WHERE NOT EXISTS (SELECT 1 FROM list_entry e WHERE e.list = ? AND e.audience = ? AND e.token = s.token AND ${SAME})`),
      diffRemoved: db.prepare(`INSERT OR IGNORE INTO list_change SELECT ?, ?, ?, e.token FROM list_entry e
        WHERE e.list = ? AND e.audience = ? AND NOT EXISTS (SELECT 1 FROM temp.stage s WHERE s.token = e.token)`),
      clearList: db.prepare(`DELETE FROM list_entry WHERE ${k}`),
      copyStage: db.prepare(`INSERT INTO list_entry SELECT ?, ?, token, category, valid_from, valid_to, attrs FROM temp.stage ORDER BY token`),
      published: db.prepare(`UPDATE list_state SET published = ?, published_base = ?, files_expire_ms = ? WHERE ${k} AND published <= ?`),
    };
  }

  states(): ListState[] {
    return this.s.all.all().map(stateFromRow);
  }

  state(key: ListKey): ListState | undefined {
    const row = this.s.one.get(key.list, key.audience);
    return row === undefined ? undefined : stateFromRow(row);
  }

  /** Put entries (added or changed); returns the version (unchanged when nothing changed). */
  upsert(key: ListKey, entries: readonly StoredEntry[]): number {
    return this.mutate(key, (v) => {
      let n = 0;
      for (const e of entries) {
        if (this.s.upsert.run(key.list, key.audience, e.token, e.category, e.validFrom, e.validTo, e.attrs).changes === 0) continue;
        this.s.change.run(key.list, key.audience, v, e.token);
        n += 1;
      }
      return n;
    });
  }

  remove(key: ListKey, tokens: readonly string[]): number {
    return this.mutate(key, (v) => {
      let n = 0;
      for (const t of tokens) {
        if (this.s.remove.run(key.list, key.audience, t).changes === 0) continue;
        this.s.change.run(key.list, key.audience, v, t);
        n += 1;
      }
      return n;
    });
  }

  /** Stage a batch of a snapshot source (temp table; a token twice is refused). */
  stage(entries: readonly StoredEntry[], first: boolean): void {
    this.db.transaction(() => {
      if (first) this.s.clearStage.run();
      for (const e of entries) {
        try {
          this.s.stage.run(e.token, e.category, e.validFrom, e.validTo, e.attrs);
        } catch (err) {
          throw new RescardError('LIST_FILE_INVALID', 'list source: a card appears twice', { reason: 'entry', field: 't' }, { cause: err });
        }
      }
    })();
  }

  /** Replace the list with the staged entries; the change set becomes the delta (or raises the floor). */
  commitStaged(key: ListKey): number {
    try {
      return this.mutate(key, (v) => {
        const args = [key.list, key.audience, v, key.list, key.audience] as const;
        this.s.diffChanged.run(...args);
        this.s.diffRemoved.run(...args);
        const n = this.s.changes.get(key.list, key.audience, v)?.n ?? 0;
        if (n > MAX_DELTA_RECORDS) {
          this.s.dropChanges.run(key.list, key.audience, v); // too big for a delta: devices take the snapshot
          this.s.floor.run(v, key.list, key.audience);
        }
        if (n === 0) return 0;
        this.s.clearList.run(key.list, key.audience);
        this.s.copyStage.run(key.list, key.audience);
        return n;
      });
    } finally {
      this.s.clearStage.run();
    }
  }

  /** Record that `version`'s files are built and announced; prunes changes no delta needs any more. */
  markPublished(key: ListKey, version: number, base: number | null, filesExpireMs: number): void {
    this.db.transaction(() => {
      this.s.published.run(version, base, filesExpireMs, key.list, key.audience, version);
      this.s.pruneChanges.run(key.list, key.audience, base ?? version);
    })();
  }

  close(): void {
    this.db.close();
  }

  private mutate(key: ListKey, apply: (version: number) => number): number {
    return this.db.transaction(() => {
      this.s.create.run(key.list, key.audience);
      const current = this.s.one.get(key.list, key.audience)?.version ?? 0;
      const changed = apply(current + 1);
      if (changed === 0 && current > 0) return current;
      this.s.bump.run(current + 1, key.list, key.audience);
      return current + 1;
    }).immediate();
  }
}
