/**
 * ListStore on the device database. Lookups are one prepared primary-key query per call
 * (list_entry is WITHOUT ROWID, PRIMARY KEY (list, gen, token), gen taken from list_meta), so they
 * stay O(log n) at 10M rows.
 *
 * Snapshot swap (replaceList): one IMMEDIATE transaction inserts the new rows as a new generation
 * of the list with multi-row statements (list-batches.ts) as the iterable yields them, and records
 * the meta with that generation; it commits only after the iterable finished (the loader's
 * iterable verifies the payload's SHA-256 and count at its end), so a bad line, a hash mismatch or
 * a crash anywhere leaves the old list in force (SQLite's rollback; in WAL mode a crash just
 * discards the uncommitted frames). The old generation's rows are not deleted in the swap (0.7-1.9 s
 * of a 1M swap, all of it with the write lock held and taps waiting) but afterwards, a few thousand
 * per step, by compact() (list-compactor.ts); lookups only see the generation in force. Until
 * then the file holds both (~80 MB per 1M rows); the next swap reuses the freed pages.
 * Rows in key order (what the server writes, keyOrder) are appended at the B-tree's right edge.
 * From the first row out of order on, rows are staged in a TEMP table and copied sorted at the
 * end, so any order works (random inserts into a 1M-row B-tree cost ~2x as much).
 * replaceList holds the write lock for the whole swap (taps in this process wait: better-sqlite3
 * is synchronous). replaceListInSteps, what the list loader uses, writes the new generation a
 * step at a time (each step its own transaction at synchronous=NORMAL, a PASSIVE checkpoint
 * between steps, taps served between them) and puts it in force in a last short FULL transaction
 * that re-checks the version and that no newer generation was put in force meanwhile
 * (housekeeping deletes only generations older than the one in force, so the generation in force
 * never goes down and a swap allocated earlier than the one in force is refused). A failed
 * stepwise swap deletes its rows; a crash leaves them for housekeeping once a later snapshot of
 * the list is in force. Generation numbers come from a counter in device_meta.
 * meta().count is the number of entries the list holds, whatever the manifest said.
 *
 * A delta is written as pending rows (list_delta_entry: the entry put, or a deletion), not into
 * list_entry: 10k random tokens of a 1M-row list touch ~7,500 of its leaf pages (~30 MB of WAL
 * and its fsync, ~340 ms here), against a few dozen pages of the small pending table (~60 ms).
 * A pending row shadows the token's list_entry row, so lookups answer from both tables as if the
 * delta had been written into the list. compact() folds pending rows into list_entry later, a few
 * hundred per transaction, when the device is idle (list-compactor.ts); each fold step changes no
 * answer. A snapshot swap drops the list's pending rows (its new generation replaces them).
 * Within a delta a token's last word wins (a token deleted and upserted ends up upserted); the
 * count moves by the tokens newly held minus those no longer held, probed in key-ordered windows.
 *
 * A delta commits at synchronous=FULL like everything else. NORMAL would save ~50 ms of a 10k
 * delta (the WAL fsync) and stay atomic, but a power cut before the next fsync would take the
 * device back to the version before the delta while it had already reported the new one: a bus
 * switched off right after a stop-list delta would start offline the next morning without it.
 */
import type Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { ListEntry, ListMeta, ListName, UsageEvent } from '../../core/model.js';
import type { CompactLimits, ListDelta, ListStore, SwapSteps } from '../../ports/list-store.js';
import { BATCH_ROWS, ListBatches, inBatches, keyOrder, keyOrderString, type EntryParams, type Param } from './list-batches.js';
import { checkListEntry, checkListMeta } from './list-entry-check.js';
import {
  ENTRY_COLUMNS, STORED_COLUMNS, encodeAttrs, entryFromRow, entryKey, entryParams, metaFromRow, placeholders, type EntryRow, type Key,
  type MetaRow, type PendingRow,
} from './list-rows.js';
import type { DeviceDb } from './open-device-db.js';
import { guard, sqliteCode, toRescardError } from './store-error.js';
import { tokenKey } from './token-key.js';
import { usageFromRow, type UsageRow } from './usage-rows.js';

/** device_meta key of the last snapshot generation handed out. */
const LIST_GEN_KEY = 'last_list_gen';
/** Rows of a failed stepwise swap deleted per step. */
const DROP_ROWS_PER_STEP = 20_000;

/** At most this many rows per compact() limit (one transaction). */
const MAX_COMPACT_ROWS = 1_000_000;

/** Prepared lookups are cached per (tokens, lists) arity up to this many tokens; bigger calls prepare once. */
const CACHED_MAX_TOKENS = 4;

export class SqliteListStore implements ListStore {
  private readonly device: DeviceDb;
  private readonly db: Database.Database;
  private readonly lookups = new Map<string, Database.Statement>();
  private readonly batches: ListBatches;
  private readonly s;

  constructor(device: DeviceDb) {
    this.device = device;
    const db = (this.db = device.db);
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS list_stage (token BLOB, category TEXT, valid_from TEXT, valid_to TEXT, attrs TEXT)`);
    this.batches = new ListBatches(db);
    this.s = {
      meta: db.prepare<[], MetaRow>('SELECT * FROM list_meta ORDER BY list'),
      metaOf: db.prepare<[string], MetaRow>('SELECT * FROM list_meta WHERE list = ?'),
      putMeta: db.prepare(`INSERT OR REPLACE INTO list_meta (list, version, issued_at_ms, expires_at_ms, count, gen) VALUES (?, ?, ?, ?, ?, ?)`),
      history: db.prepare<[Key, number, number], UsageRow>(
        'SELECT * FROM usage_event WHERE token = ? AND wall_ms > ? ORDER BY seq DESC LIMIT ?',
      ),
      clearStage: db.prepare('DELETE FROM temp.list_stage'),
      lastGen: db.prepare<[string], { g: number | null }>('SELECT max(gen) AS g FROM list_entry WHERE list = ?'),
      olderGen: db.prepare<[string, number], { gen: number }>('SELECT gen FROM list_entry WHERE list = ? AND gen < ? ORDER BY gen LIMIT 1'),
      setGenCounter: db.prepare(`INSERT INTO device_meta (key, value) VALUES ('${LIST_GEN_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      dropRows: db.prepare(`DELETE FROM list_entry WHERE list = ? AND gen = ? AND token IN
        (SELECT token FROM list_entry WHERE list = ? AND gen = ? ORDER BY token LIMIT ?)`),
      deletePending: db.prepare('DELETE FROM list_delta_entry WHERE list = ?'),
      pending: db.prepare<[number], PendingRow>('SELECT * FROM list_delta_entry ORDER BY list, token LIMIT ?'),
      copyStage: db.prepare(`INSERT INTO list_entry (${STORED_COLUMNS})
        SELECT ?, ?, token, category, valid_from, valid_to, attrs FROM temp.list_stage ORDER BY token`),
      extend: db.prepare('UPDATE list_meta SET expires_at_ms = ? WHERE list = ? AND version = ? AND expires_at_ms < ?'),
    };
  }

  lookup(tokens: readonly string[], lists: readonly ListName[]): ListEntry[] {
    const t = [...new Set(tokens)];
    const l = [...new Set(lists)];
    if (t.length === 0 || l.length === 0) return [];
    return guard('lookup', () => {
      const keys = t.map(tokenKey);
      const rows = this.lookupStatement(t.length, l.length).all(...l, ...keys, ...l, ...keys) as EntryRow[];
      return rows.map(entryFromRow);
    });
  }

  history(token: string, sinceWallMs: number, limit: number): UsageEvent[] {
    if (limit <= 0) return [];
    return guard('history', () => this.s.history.all(tokenKey(token), sinceWallMs, Math.trunc(limit)).map(usageFromRow));
  }

  meta(): ListMeta[] {
    return guard('meta', () => this.s.meta.all().map(metaFromRow));
  }

  replaceList(meta: ListMeta, entries: Iterable<ListEntry>): void {
    checkListMeta(meta);
    guard('replaceList', () => {
      this.refuseRollback(meta); // fail fast, before reading millions of rows
      try {
        this.db.transaction(() => {
          this.refuseRollback(meta); // again under the write lock
          const gen = this.allocateGen(meta.list); // above every one stored or handed out
          this.s.deletePending.run(meta.list);
          this.putMeta(meta, this.insertAll(meta.list, gen, entries), gen);
        }).immediate();
      } finally {
        this.s.clearStage.run();
      }
    });
    this.device.checkpoint(); // a big swap leaves a WAL as large as the list: fold it in, truncate it
  }

  async replaceListInSteps(meta: ListMeta, entries: Iterable<ListEntry>, steps: SwapSteps): Promise<void> {
    checkListMeta(meta);
    guard('replaceList', () => this.refuseRollback(meta)); // fail fast, before reading millions of rows
    const list = meta.list;
    const rowsPerStep = Number.isFinite(steps.rowsPerStep) && steps.rowsPerStep >= 1 ? Math.trunc(steps.rowsPerStep) : 1;
    const gen = guard('replaceList', () => this.db.transaction(() => this.allocateGen(list)).immediate());
    const it = entries[Symbol.iterator]();
    let count = 0;
    let flipped = false;
    try {
      for (;;) {
        const step = this.db.transaction(() => this.insertSome(list, gen, it, count, rowsPerStep));
        const { rows, done } = guard('replaceList', () => this.unsynced(() => step.immediate()));
        count += rows;
        if (done) break;
        await steps.between(); // taps run here, outside any transaction
        this.device.checkpointPassive(); // one step's WAL at a time (~30 ms), not 40 MB inside a step
        await steps.between();
      }
      guard('replaceList', () =>
        this.db.transaction(() => {
          this.refuseRollback(meta); // another loader may have won meanwhile
          // Generations in force only ever grow, and housekeeping deletes only generations older
          // than the one in force: so if none newer than ours was put in force, no row of ours
          // was deleted. If one was (another process's loader, allocated later), refuse.
          const inForce = this.s.metaOf.get(list)?.gen ?? 0;
          if (inForce > gen) {
            throw new RescardError('STORE_FAILURE', `list ${list}: a newer swap was put in force during this one (another loader); the list in force stays`, { list, gen, inForce, reason: 'busy' });
          }
          this.s.deletePending.run(list);
          this.putMeta(meta, count, gen);
        }).immediate(),
      );
      flipped = true;
    } finally {
      if (!flipped) {
        it.return?.(); // a source on another thread stops at once
        await this.dropGeneration(list, gen, steps);
      }
    }
    this.device.checkpoint();
  }

  applyDelta(delta: ListDelta): void {
    const { meta } = delta;
    checkListMeta(meta);
    guard('applyDelta', () =>
      this.db.transaction(() => {
        const current = this.s.metaOf.get(meta.list);
        if (current?.version !== delta.baseVersion) {
          const held = current ? `v${current.version}` : 'nothing';
          throw new RescardError('LIST_BASE_MISMATCH', `list ${meta.list}: delta for base v${delta.baseVersion}, device holds ${held}`, {
            list: meta.list, baseVersion: delta.baseVersion, currentVersion: current?.version ?? null,
          });
        }
        this.refuseRollback(meta);
        delta.upserts.forEach((e, i) => checkListEntry(e, meta.list, i));
        // Every token the delta names, once: null = delete; a token both deleted and upserted, or
        // upserted twice, ends up as its last upsert.
        const named = new Map<string, EntryParams | null>();
        for (const t of delta.deletes) named.set(t, null);
        for (const e of delta.upserts) named.set(e.token, entryParams(e));
        // One pass in key order (consecutive keys share B-tree pages): per window, count the named
        // tokens held now, then record the window as pending rows.
        const items = [...named].map(([t, row]) => {
          const key = row?.[0] ?? entryKey(t);
          return { key, row, order: keyOrderString(key) };
        }).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
        let count = current.count;
        inBatches(items, (window) => {
          count -= this.batches.countHeld(meta.list, current.gen, window.map((x) => x.key));
          count += window.reduce((n, x) => (x.row === null ? n : n + 1), 0);
          this.batches.putPending(meta.list, window);
        });
        this.putMeta(meta, count, current.gen);
      }).immediate(),
    );
  }

  compact(limits: CompactLimits): number {
    const bound = (n: number): number => (n >= 1 ? Math.min(Math.trunc(n), MAX_COMPACT_ROWS) : 0);
    const [fold, drop] = [bound(limits.foldRows), bound(limits.dropRows)];
    if (fold === 0 && drop === 0) return 0;
    // Housekeeping never waits for the write lock (another process loading a list holds it for
    // seconds): SQLITE_BUSY at once, and the caller tries again later.
    const busyTimeoutMs = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return guard('compact', () =>
        this.db.transaction(() => (fold > 0 ? this.foldPending(fold) : 0) + (drop > 0 ? this.dropReplaced(drop) : 0)).immediate(),
      );
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    }
  }

  /**
   * Run `fn` (one transaction of a stepwise swap) at synchronous=NORMAL, and FULL again before
   * anything else runs. Safe: the WAL is written in order and the swap's last transaction (FULL)
   * fsyncs it, so when the new list is in force every step before it is on disk too; a power cut
   * before that loses only rows nobody can see. Taps never commit at NORMAL (this is synchronous).
   */
  private unsynced<T>(fn: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** A generation number for a new snapshot of `list`, above every one used (recorded, so two loaders never share one). */
  private allocateGen(list: ListName): number {
    const used = Number(this.device.getMeta(LIST_GEN_KEY) ?? 0);
    const gen = Math.max(used, this.s.metaOf.get(list)?.gen ?? 0, this.s.lastGen.get(list)?.g ?? 0) + 1;
    this.s.setGenCounter.run(gen);
    return gen;
  }

  /** Insert up to `max` more entries of a stepwise swap (inside its step transaction). */
  private insertSome(list: ListName, gen: number, it: Iterator<ListEntry>, before: number, max: number): { rows: number; done: boolean } {
    let flat: Param[] = [];
    let batch = 0;
    const flush = (): void => {
      this.insertChecked(list, () => this.batches.insertFlat('list_entry', batch, flat));
      flat = [];
      batch = 0;
    };
    for (let rows = 0; rows < max; rows += 1) {
      let next: IteratorResult<ListEntry>;
      try {
        next = it.next();
      } catch (err) {
        throw toRescardError(err, `reading list ${list} entry #${before + rows}`, 'LIST_FILE_INVALID');
      }
      if (next.done === true) {
        flush();
        return { rows, done: true };
      }
      const e = next.value;
      checkListEntry(e, list, before + rows);
      flat.push(list, gen, entryKey(e.token), e.category, e.validFrom, e.validTo, encodeAttrs(e.attrs));
      batch += 1;
      if (batch === BATCH_ROWS) flush();
    }
    flush();
    return { rows: max, done: false };
  }

  /** Delete a generation that was never put in force (a failed stepwise swap), in steps. */
  private async dropGeneration(list: ListName, gen: number, steps: SwapSteps): Promise<void> {
    try {
      while (guard('replaceList', () => this.s.dropRows.run(list, gen, list, gen, DROP_ROWS_PER_STEP).changes) > 0) await steps.between();
    } catch {
      // Left for housekeeping: once another snapshot of the list is in force, this generation is an old one.
    }
  }

  /** Fold at most `maxRows` pending delta rows into their list's generation in force. */
  private foldPending(maxRows: number): number {
    const rows = this.s.pending.all(maxRows);
    // Rows come ordered by list, then token: fold each list's run with the multi-row statements.
    for (let i = 0; i < rows.length; ) {
      const list = rows[i]!.list;
      let end = i;
      while (end < rows.length && rows[end]!.list === list) end += 1;
      const gen = this.s.metaOf.get(list)?.gen ?? 0; // a list with pending rows has meta (a delta needs a base)
      inBatches(rows.slice(i, end), (window) => {
        const keys = window.map((r) => r.token);
        this.batches.deleteEntries(list, gen, keys);
        this.batches.insert(list, gen, window.flatMap((r) => (r.live === 1 ? [[r.token, r.category, r.valid_from, r.valid_to, r.attrs] as EntryParams] : [])));
        this.batches.deletePending(list, keys);
      });
      i = end;
    }
    return rows.length;
  }

  /** Delete at most `maxRows` rows of generations no longer in force (replaced snapshots). */
  private dropReplaced(maxRows: number): number {
    let left = maxRows;
    for (const m of this.s.meta.all()) {
      while (left > 0) {
        // Only generations older than the one in force: a newer one may be a stepwise swap under way.
        const stale = this.s.olderGen.get(m.list, m.gen);
        if (stale === undefined) break;
        left -= this.s.dropRows.run(m.list, stale.gen, m.list, stale.gen, left).changes;
      }
    }
    return maxRows - left;
  }

  extendFreshness(list: ListName, version: number, expiresAtMs: number): boolean {
    if (!Number.isSafeInteger(expiresAtMs)) return false;
    // One statement is one transaction: the version and "only forward" are checked where it writes.
    return guard('extendFreshness', () => this.s.extend.run(expiresAtMs, list, version, expiresAtMs).changes === 1);
  }

  /**
   * Insert every entry (inside the caller's transaction); returns how many. If this throws, the
   * entries' iterator is closed (return()): a source on another thread stops at once.
   */
  private insertAll(list: ListName, gen: number, entries: Iterable<ListEntry>): number {
    const it = entries[Symbol.iterator]();
    let finished = false;
    try {
      const count = this.insertFrom(list, gen, it);
      finished = true;
      return count;
    } finally {
      if (!finished) it.return?.();
    }
  }

  private insertFrom(list: ListName, gen: number, it: Iterator<ListEntry>): number {
    // One flat parameter array per batch (the multi-row statement's shape): no per-row arrays.
    let flat: Param[] = [];
    let rows = 0;
    let last: Key | null = null;
    let sorted = true;
    const flush = (): void => {
      if (sorted) this.batches.insertFlat('list_entry', rows, flat);
      else this.batches.insertFlat('temp.list_stage', rows, flat.filter((_, i) => i % 7 > 1)); // the stage has no list, gen columns
      flat = [];
      rows = 0;
    };
    for (let count = 0; ; count += 1) {
      let next: IteratorResult<ListEntry>;
      try {
        next = it.next();
      } catch (err) {
        throw toRescardError(err, `reading list ${list} entry #${count}`, 'LIST_FILE_INVALID');
      }
      if (next.done === true) {
        this.insertChecked(list, flush);
        if (!sorted) this.copyStage(list, gen);
        return count;
      }
      const e = next.value;
      checkListEntry(e, list, count);
      const key = entryKey(e.token);
      if (sorted && last !== null && keyOrder(last, key) >= 0) {
        this.insertChecked(list, flush); // rows so far go to list_entry, the rest to the stage
        sorted = false;
      }
      last = key;
      flat.push(list, gen, key, e.category, e.validFrom, e.validTo, encodeAttrs(e.attrs));
      rows += 1;
      if (rows === BATCH_ROWS) this.insertChecked(list, flush);
    }
  }

  private insertChecked(list: ListName, insert: () => void): void {
    try {
      insert();
    } catch (err) {
      throw this.duplicate(list, err);
    }
  }

  private duplicate(list: ListName, err: unknown): unknown {
    if (sqliteCode(err) !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return err;
    return new RescardError('LIST_FILE_INVALID', `list ${list}: the snapshot has a token twice`, { list }, { cause: err });
  }

  private copyStage(list: ListName, gen: number): void {
    this.insertChecked(list, () => this.s.copyStage.run(list, gen));
  }

  private refuseRollback(meta: ListMeta): void {
    const current = this.s.metaOf.get(meta.list);
    if (current !== undefined && meta.version <= current.version) {
      throw new RescardError('LIST_VERSION_ROLLBACK', `list ${meta.list}: v${meta.version} is not newer than v${current.version}`, {
        list: meta.list, version: meta.version, currentVersion: current.version,
      });
    }
  }

  private putMeta(meta: ListMeta, count: number, gen: number): void {
    this.s.putMeta.run(meta.list, meta.version, meta.issuedAtMs, meta.expiresAtMs, count, gen);
  }

  private lookupStatement(nTokens: number, nLists: number): Database.Statement {
    const key = `${nTokens}:${nLists}`;
    let stmt = this.lookups.get(key);
    if (stmt === undefined) {
      // Rows of the generation in force that no pending delta row shadows, and the live pending rows.
      const lists = placeholders(nLists);
      const tokens = placeholders(nTokens);
      stmt = this.db.prepare(`SELECT e.list, e.token, e.category, e.valid_from, e.valid_to, e.attrs
          FROM list_meta m JOIN list_entry e ON e.list = m.list AND e.gen = m.gen
          WHERE m.list IN (${lists}) AND e.token IN (${tokens})
          AND NOT EXISTS (SELECT 1 FROM list_delta_entry d WHERE d.list = e.list AND d.token = e.token)
        UNION ALL SELECT ${ENTRY_COLUMNS} FROM list_delta_entry WHERE list IN (${lists}) AND token IN (${tokens}) AND live = 1`);
      if (nTokens <= CACHED_MAX_TOKENS) this.lookups.set(key, stmt);
    }
    return stmt;
  }
}
