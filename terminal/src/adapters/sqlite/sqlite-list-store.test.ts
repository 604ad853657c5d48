/**
 * SqliteListStore specifics the port's contract does not cover: the commit level of list work, a
 * delta across a reopen, pending delta rows folded at any point against the in-memory model.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListEntry } from '../../core/model.js';
import { FakeListStore } from '../../ports/fake-list-store.js';
import { byToken, entry, expectCode, meta, tok } from './contract-fixtures.js';
import { tempDbPath } from './contract-stores.js';
import { openDeviceDb, type DeviceDb } from './open-device-db.js';
import { SqliteListStore } from './sqlite-list-store.js';

const FULL = 2;

describe('SqliteListStore: list work commits at FULL', () => {
  let device: DeviceDb | null = null;
  afterEach(() => device?.close());

  it('is at synchronous=FULL after a snapshot, a delta, a refused delta, a delta inside a caller transaction, and between and after the steps of a swap', async () => {
    device = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(device);
    const level = (): unknown => device?.db.pragma('synchronous', { simple: true });
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('a'))]);
    expect(level()).toBe(FULL);
    lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [entry('stoplist', tok('b'))], deletes: [tok('a')] });
    expect(level()).toBe(FULL);
    expectCode(() => lists.applyDelta({ meta: meta('stoplist', 3), baseVersion: 1, upserts: [], deletes: [] }), 'LIST_BASE_MISMATCH');
    expect(level()).toBe(FULL);
    device.atomically(() => lists.applyDelta({ meta: meta('stoplist', 3), baseVersion: 2, upserts: [], deletes: [tok('b')] }));
    expect(level()).toBe(FULL);
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 3), count: 0 }]);
    // A stepwise swap writes its steps at NORMAL; whatever runs between them (a tap) commits at FULL.
    const between: unknown[] = [];
    const rows = Array.from({ length: 25 }, (_, i) => entry('stoplist', tok(`f${i}`)));
    await lists.replaceListInSteps(meta('stoplist', 4), rows, { rowsPerStep: 10, between: () => Promise.resolve(void between.push(level())) });
    expect(new Set(between)).toEqual(new Set([FULL]));
    expect(level()).toBe(FULL);
  });

  it('closes the entries iterator when a swap fails part-way (a parse thread behind it stops), and keeps the old list', () => {
    device = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(device);
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('keep'))]);
    let closed = false;
    let pulled = 0;
    const source: Iterable<ReturnType<typeof entry>> = {
      [Symbol.iterator]: () => ({
        next: () => {
          pulled += 1;
          // the third entry belongs to another list: refused by the store's entry check
          return { done: false, value: entry(pulled === 3 ? 'benefit' : 'stoplist', tok(`n${pulled}`)) };
        },
        return: () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    };
    expect(() => lists.replaceList(meta('stoplist', 2), source)).toThrow();
    expect([closed, pulled]).toEqual([true, 3]);
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 1), count: 1 }]);
    expect(lists.lookup([tok('keep')], ['stoplist'])).toHaveLength(1);
  });

  it('keeps a delta and its version together across a reopen', () => {
    const path = tempDbPath();
    device = openDeviceDb(path);
    let lists = new SqliteListStore(device);
    lists.replaceList(meta('benefit', 1), Array.from({ length: 500 }, (_, i) => entry('benefit', tok(`r${i}`))));
    lists.applyDelta({ meta: meta('benefit', 2), baseVersion: 1, upserts: [entry('benefit', tok('r1'), { category: 'VETERAN' })], deletes: [tok('r2')] });
    device.close();
    device = openDeviceDb(path);
    lists = new SqliteListStore(device);
    expect(lists.meta()).toEqual([{ ...meta('benefit', 2), count: 499 }]);
    expect(lists.lookup([tok('r1'), tok('r2')], ['benefit']).map((e) => e.category)).toEqual(['VETERAN']);
    expect(device.integrityCheck()).toEqual(['ok']);
  });

  it('does housekeeping only when the write lock is free at once, and keeps its busy timeout', () => {
    const path = tempDbPath();
    device = openDeviceDb(path);
    const lists = new SqliteListStore(device);
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('a'))]);
    lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [entry('stoplist', tok('b'))], deletes: [] });
    const other = openDeviceDb(path);
    other.db.prepare('BEGIN IMMEDIATE').run(); // another process loading a list
    const started = performance.now();
    expectCode(() => lists.compact({ foldRows: 10, dropRows: 10 }), 'STORE_FAILURE');
    expect(performance.now() - started).toBeLessThan(1000); // not the 5 s busy timeout
    expect(device.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    other.db.prepare('ROLLBACK').run();
    other.close();
    expect(lists.compact({ foldRows: 10, dropRows: 10 })).toBe(1); // the pending row
    expect(lists.lookup([tok('a'), tok('b')], ['stoplist']).map((e) => e.token).sort()).toEqual([tok('a'), tok('b')].sort());
  });

  it('stepwise swap: a failed one leaves no rows behind; housekeeping between steps leaves the new rows alone', async () => {
    device = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(device);
    lists.replaceList(meta('stoplist', 1), Array.from({ length: 50 }, (_, i) => entry('stoplist', tok(`a${i}`))));
    const rowsOf = device.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM list_entry WHERE list = 'stoplist'");
    const twice = [...Array.from({ length: 40 }, (_, i) => entry('stoplist', tok(`b${i}`))), entry('stoplist', tok('b3'))];
    await expect(lists.replaceListInSteps(meta('stoplist', 2), twice, { rowsPerStep: 7, between: () => Promise.resolve() })).rejects.toMatchObject({ code: 'LIST_FILE_INVALID' });
    expect(rowsOf.get()?.n).toBe(50);
    const fresh = Array.from({ length: 40 }, (_, i) => entry('stoplist', tok(`b${i}`)));
    await lists.replaceListInSteps(meta('stoplist', 2), fresh, { rowsPerStep: 7, between: () => Promise.resolve(void lists.compact({ foldRows: 100, dropRows: 100 })) });
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 40 }]);
    while (lists.compact({ foldRows: 100, dropRows: 100 }) > 0);
    expect(rowsOf.get()?.n).toBe(40);
    expect(lists.lookup([tok('a1'), tok('b39')], ['stoplist']).map((e) => e.token)).toEqual([tok('b39')]);
  });

  it('stepwise swap: another loader that puts a list in force meanwhile wins; the swap is refused, nothing half-applied', async () => {
    const path = tempDbPath();
    device = openDeviceDb(path);
    const lists = new SqliteListStore(device);
    lists.replaceList(meta('stoplist', 3), [entry('stoplist', tok('v3'))]);
    const other = openDeviceDb(path); // `rescard-terminal lists load` beside the device
    const otherLists = new SqliteListStore(other);
    try {
      const rows = Array.from({ length: 30 }, (_, i) => entry('stoplist', tok(`v5-${i}`)));
      let calls = 0;
      const between = (): Promise<void> => {
        calls += 1;
        if (calls !== 2) return Promise.resolve();
        // v4 is older than the v5 being loaded, but is put in force first, under a later generation;
        // its housekeeping then deletes the rows of every older generation, v5's included.
        otherLists.replaceList(meta('stoplist', 4), [entry('stoplist', tok('v4'))]);
        while (otherLists.compact({ foldRows: 100, dropRows: 100 }) > 0);
        return Promise.resolve();
      };
      await expect(lists.replaceListInSteps(meta('stoplist', 5), rows, { rowsPerStep: 10, between })).rejects.toMatchObject({ code: 'STORE_FAILURE', details: { reason: 'busy' } });
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 4), count: 1 }]);
      expect(lists.lookup([tok('v4'), tok('v5-0'), tok('v5-29')], ['stoplist']).map((e) => e.token)).toEqual([tok('v4')]);
      await lists.replaceListInSteps(meta('stoplist', 5), rows, { rowsPerStep: 10, between: () => Promise.resolve() }); // the next announcement
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 5), count: 30 }]);
    } finally {
      other.close();
    }
  });

  it('keeps a pending delta, then folds it, across a reopen', () => {
    const path = tempDbPath();
    device = openDeviceDb(path);
    let lists = new SqliteListStore(device);
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('a')), entry('stoplist', tok('b'))]);
    lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [entry('stoplist', tok('c'))], deletes: [tok('a')] });
    device.close();
    device = openDeviceDb(path);
    lists = new SqliteListStore(device);
    const answer = (): string[] => lists.lookup([tok('a'), tok('b'), tok('c')], ['stoplist']).map((e) => e.token).sort();
    expect(answer()).toEqual([tok('b'), tok('c')].sort());
    expect(lists.compact({ foldRows: 1, dropRows: 0 })).toBe(1);
    expect(lists.compact({ foldRows: 10, dropRows: 0 })).toBe(1);
    expect(lists.compact({ foldRows: 10, dropRows: 0 })).toBe(0);
    expect(answer()).toEqual([tok('b'), tok('c')].sort());
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 2 }]);
  });
});

/** A step of the model test: a snapshot, a delta on the version held, or some housekeeping (fold pending rows, drop old generations). */
type Step =
  | { readonly kind: 'snapshot'; readonly list: 'stoplist' | 'benefit'; readonly tokens: readonly number[] }
  | { readonly kind: 'delta'; readonly list: 'stoplist' | 'benefit'; readonly puts: readonly [number, number][]; readonly deletes: readonly number[] }
  | { readonly kind: 'tidy'; readonly fold: number; readonly drop: number };

const TOKEN_POOL = 24;
const listArb = fc.constantFrom('stoplist' as const, 'benefit' as const);
const tokenArb = fc.integer({ min: 0, max: TOKEN_POOL - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('snapshot' as const), list: listArb, tokens: fc.uniqueArray(tokenArb, { maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delta' as const), list: listArb, puts: fc.array(fc.tuple(tokenArb, fc.integer({ min: 0, max: 2 })), { maxLength: 8 }), deletes: fc.array(tokenArb, { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('tidy' as const), fold: fc.integer({ min: 0, max: 9 }), drop: fc.integer({ min: 0, max: 9 }) }),
);

describe('SqliteListStore: pending delta rows and snapshot generations', () => {
  it('answers like the in-memory model after any mix of snapshots, deltas and partial housekeeping; then holds only the lists in force', () => {
    // Card tokens (stored as BLOBs) and a few other strings (stored as TEXT), one with the same bytes as a BLOB key.
    const tokens = Array.from({ length: TOKEN_POOL }, (_, i) => (i % 6 === 5 ? `legacy-${i}` : i === 4 ? 'a.b' : i === 3 ? 'YS5i' : tok(`m${i}`)));
    const categories = ['LOST', 'STOLEN', null];
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
        const device = openDeviceDb(tempDbPath());
        device.db.pragma('synchronous = OFF'); // the logic is under test here, not durability: no fsync per step
        try {
          const real = new SqliteListStore(device);
          const model = new FakeListStore();
          const version = new Map<string, number>();
          for (const step of steps) {
            if (step.kind === 'tidy') {
              real.compact({ foldRows: step.fold, dropRows: step.drop });
            } else if (step.kind === 'snapshot') {
              const v = (version.get(step.list) ?? 0) + 1;
              version.set(step.list, v);
              const rows = step.tokens.map((t) => entry(step.list, tokens[t] ?? '', { category: 'BASE' }));
              for (const store of [real, model]) store.replaceList(meta(step.list, v), rows);
            } else {
              const base = version.get(step.list);
              if (base === undefined) continue;
              version.set(step.list, base + 1);
              const upserts: ListEntry[] = step.puts.map(([t, c]) => entry(step.list, tokens[t] ?? '', { category: categories[c] ?? null }));
              const deletes = step.deletes.map((t) => tokens[t] ?? '');
              for (const store of [real, model]) store.applyDelta({ meta: meta(step.list, base + 1), baseVersion: base, upserts, deletes });
            }
            expect(real.lookup(tokens, ['stoplist', 'benefit']).sort(byToken)).toEqual(model.lookup(tokens, ['stoplist', 'benefit']).sort(byToken));
            expect(real.meta()).toEqual(model.meta());
          }
          while (real.compact({ foldRows: 5, dropRows: 5 }) > 0);
          expect(real.lookup(tokens, ['stoplist', 'benefit']).sort(byToken)).toEqual(model.lookup(tokens, ['stoplist', 'benefit']).sort(byToken));
          expect(device.db.prepare('SELECT count(*) AS n FROM list_delta_entry').get()).toEqual({ n: 0 });
          const stored = device.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM list_entry WHERE list = ?');
          expect(model.meta().map((m) => ({ list: m.list, n: stored.get(m.list)?.n }))).toEqual(model.meta().map((m) => ({ list: m.list, n: m.count })));
        } finally {
          device.close();
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
