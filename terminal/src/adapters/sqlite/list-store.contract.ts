/**
 * The ListStore contract, run against FakeListStore and SqliteListStore (list-store.test.ts).
 * Usage history arrives through TapJournal.append, so the factory gives both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ListEntry } from '../../core/model.js';
import {
  DAY_MS, T0, byToken, entry, expectCode, meta, tap, tok, usage, type StoreFactory, type StoreUnderTest,
} from './contract-fixtures.js';

export function listStoreContract(name: string, factory: StoreFactory): void {
  describe(`ListStore contract: ${name}`, () => {
    let open: StoreUnderTest[] = [];
    const make = (...args: Parameters<StoreFactory>): StoreUnderTest => {
      const s = factory(...args);
      open.push(s);
      return s;
    };
    afterEach(() => {
      for (const s of open) s.close();
      open = [];
    });

    const [pan, par, other] = [tok('pan'), tok('par'), tok('other')];
    const holder = entry('benefit', pan, { category: 'VETERAN', validFrom: '2025-01-01', validTo: '2025-12-31' });
    const phone = entry('benefit', par, { category: 'PENSIONER', attrs: { usedInPeriod: 3, usedPeriod: '2025-09', usedAsOfMs: T0 } });
    const stopped = entry('stoplist', par, { attrs: { reason: 'LOST' } });

    it('finds entries by PAN token and PAR token across lists, in one call', () => {
      const { lists } = make();
      lists.replaceList(meta('benefit', 1), [holder, phone]);
      lists.replaceList(meta('stoplist', 1), [stopped]);
      expect(lists.lookup([pan, par], ['stoplist', 'benefit']).sort(byToken)).toEqual([holder, phone, stopped].sort(byToken));
      expect(lists.lookup([par], ['stoplist'])).toEqual([stopped]);
      expect(lists.lookup([other], ['benefit', 'stoplist'])).toEqual([]);
      expect(lists.lookup([pan], ['roster'])).toEqual([]);
      expect(lists.lookup([], ['benefit'])).toEqual([]);
    });

    it('round-trips validity, category, attributes and tokens that are not base64url', () => {
      const { lists } = make();
      const roster: ListEntry[] = [
        entry('roster', 'plain-text-token', { validFrom: '2025-09-01', attrs: { schoolId: 's1', classId: '5A', role: 'student' } }),
        entry('roster', 'AAAA', { validTo: '2026-05-31', attrs: { role: 'staff' } }),
        entry('roster', 'AAAA=', {}),
      ];
      lists.replaceList(meta('roster', 4), roster);
      lists.replaceList(meta('canteen', 2), [entry('canteen', 'AAAA', { category: 'LARGE_FAMILY', attrs: { dailyAllowanceKopecks: 25000 } })]);
      expect(lists.lookup(['plain-text-token', 'AAAA', 'AAAA='], ['roster']).sort(byToken)).toEqual([...roster].sort(byToken));
      expect(lists.lookup(['AAAA'], ['canteen'])[0]?.attrs).toEqual({ dailyAllowanceKopecks: 25000 });
      expect(lists.meta()).toEqual([{ ...meta('canteen', 2), count: 1 }, { ...meta('roster', 4), count: 3 }]);
    });

    it('swaps a snapshot whole: old rows gone, meta recorded, other lists untouched', () => {
      const { lists } = make();
      lists.replaceList(meta('benefit', 1), [holder, phone]);
      lists.replaceList(meta('stoplist', 5), [stopped]);
      const newer = entry('benefit', other, { category: 'STUDENT' });
      const changed = { ...phone, category: 'VETERAN' };
      lists.replaceList(meta('benefit', 2), [newer, changed]);
      expect(lists.lookup([pan, par, other], ['benefit']).sort(byToken)).toEqual([newer, changed].sort(byToken));
      expect(lists.lookup([par], ['stoplist'])).toEqual([stopped]);
      expect(lists.meta().find((m) => m.list === 'benefit')).toEqual({ ...meta('benefit', 2), count: 2 });
    });

    it('refuses a snapshot that is not newer, without reading it', () => {
      const { lists } = make();
      lists.replaceList(meta('benefit', 7), [holder]);
      let read = false;
      const never = function* (): Generator<ListEntry> { read = true; yield phone; };
      expectCode(() => lists.replaceList(meta('benefit', 7), never()), 'LIST_VERSION_ROLLBACK');
      expectCode(() => lists.replaceList(meta('benefit', 6), never()), 'LIST_VERSION_ROLLBACK');
      expect(read).toBe(false);
      expect(lists.lookup([pan, par], ['benefit'])).toEqual([holder]);
      expect(lists.meta()[0]?.version).toBe(7);
    });

    it('leaves the old list whole when a snapshot is bad midway (bad entry, duplicate, failing source)', () => {
      const { lists } = make();
      lists.replaceList(meta('benefit', 1), [holder]);
      const many = (bad: ListEntry): ListEntry[] => [...Array.from({ length: 500 }, (_, i) => entry('benefit', tok(`m${i}`))), bad];
      expectCode(() => lists.replaceList(meta('benefit', 2), many(entry('benefit', other, { validTo: '31.12.2025' }))), 'LIST_FILE_INVALID');
      expectCode(() => lists.replaceList(meta('benefit', 2), many(entry('stoplist', other))), 'LIST_FILE_INVALID');
      expectCode(() => lists.replaceList(meta('benefit', 2), many(entry('benefit', tok('m7')))), 'LIST_FILE_INVALID');
      const failing = function* (): Generator<ListEntry> { yield phone; throw new Error('truncated file'); };
      expectCode(() => lists.replaceList(meta('benefit', 2), failing()), 'LIST_FILE_INVALID');
      expect(lists.lookup([pan, par, tok('m1')], ['benefit'])).toEqual([holder]);
      expect(lists.meta()).toEqual([{ ...meta('benefit', 1), count: 1 }]);
      lists.replaceList(meta('benefit', 2), [phone]); // and the store still works
      expect(lists.lookup([pan, par], ['benefit'])).toEqual([phone]);
    });

    it('swaps the same snapshot whatever the order of its rows (key order, reversed, sorted then out of order)', () => {
      const { lists } = make();
      const rows = Array.from({ length: 1200 }, (_, i) => entry('benefit', tok(`o${i}`), { category: i % 2 ? 'VETERAN' : null }));
      const keyOrder = [...rows].sort((a, b) => Buffer.compare(Buffer.from(a.token, 'base64url'), Buffer.from(b.token, 'base64url')));
      const probe = [tok('o0'), tok('o599'), tok('o1199'), tok('absent')];
      const orders = [keyOrder, [...keyOrder].reverse(), [...keyOrder.slice(0, 700), ...keyOrder.slice(700).reverse()]];
      orders.forEach((order, i) => {
        lists.replaceList(meta('benefit', i + 1), order);
        expect(lists.meta()).toEqual([{ ...meta('benefit', i + 1), count: 1200 }]);
        expect(lists.lookup(probe, ['benefit']).sort(byToken)).toEqual(rows.filter((r) => probe.includes(r.token)).sort(byToken));
      });
      // A token twice is refused whether it repeats in the ordered part or after it.
      expectCode(() => lists.replaceList(meta('benefit', 9), [...keyOrder, keyOrder[5] ?? holder]), 'LIST_FILE_INVALID');
      expectCode(() => lists.replaceList(meta('benefit', 9), [...keyOrder.slice(0, 300), keyOrder[299] ?? holder]), 'LIST_FILE_INVALID');
      expect(lists.meta()).toEqual([{ ...meta('benefit', 3), count: 1200 }]);
    });

    it('applies a delta of hundreds of upserts and deletes with an exact count', () => {
      const { lists } = make();
      lists.replaceList(meta('stoplist', 1), Array.from({ length: 400 }, (_, i) => entry('stoplist', tok(`b${i}`))));
      const upserts = Array.from({ length: 250 }, (_, i) => entry('stoplist', tok(`b${i * 2}`), { attrs: { reason: 'FRAUD' } })); // 200 known, 50 new
      const deletes = [...Array.from({ length: 150 }, (_, i) => tok(`b${i * 2 + 1}`)), tok('never-listed')];
      lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts, deletes });
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 400 + 50 - 150 }]);
      expect(lists.lookup([tok('b0'), tok('b1'), tok('b498'), tok('b399')], ['stoplist']).map((e) => e.attrs.reason ?? 'none').sort())
        .toEqual(['FRAUD', 'FRAUD', 'none']);
    });

    it('applies a delta on its exact base, recording the new version and count', () => {
      const { lists } = make();
      lists.replaceList(meta('stoplist', 10), [stopped, entry('stoplist', pan)]);
      const added = entry('stoplist', other, { attrs: { reason: 'STOLEN' } });
      const changed = { ...stopped, attrs: { reason: 'FRAUD' } };
      lists.applyDelta({ meta: meta('stoplist', 11), baseVersion: 10, upserts: [added, changed], deletes: [pan, tok('absent')] });
      expect(lists.lookup([pan, par, other], ['stoplist']).sort(byToken)).toEqual([added, changed].sort(byToken));
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 11), count: 2 }]);
    });

    it('applies a delta whose tokens are deleted and upserted, upserted twice, or absent: last upsert wins, count exact', () => {
      const { lists } = make();
      const base = Array.from({ length: 300 }, (_, i) => entry('stoplist', tok(`d${i}`), { attrs: { reason: 'LOST' } }));
      lists.replaceList(meta('stoplist', 1), base);
      const revived = entry('stoplist', tok('d5'), { attrs: { reason: 'STOLEN' } }); // deleted and upserted: stays, changed
      const twiceFirst = entry('stoplist', tok('new-1'), { attrs: { reason: 'LOST' } });
      const twiceLast = entry('stoplist', tok('new-1'), { attrs: { reason: 'FRAUD' } });
      const deletes = [tok('d5'), ...Array.from({ length: 150 }, (_, i) => tok(`d${i * 2 + 1}`)), tok('never-listed')]; // d5 is odd: named twice
      lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [revived, twiceFirst, twiceLast], deletes });
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 300 - 150 + 1 + 1 }]);
      expect(lists.lookup([tok('d5'), tok('new-1'), tok('d3'), tok('d4')], ['stoplist']).sort(byToken))
        .toEqual([revived, twiceLast, base[4] ?? revived].sort(byToken));
    });

    it('applies deltas on deltas: a token deleted then put back, changed then deleted, each count exact', () => {
      const { lists } = make();
      const base = Array.from({ length: 40 }, (_, i) => entry('stoplist', tok(`s${i}`), { attrs: { reason: 'LOST' } }));
      lists.replaceList(meta('stoplist', 1), base);
      lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [entry('stoplist', tok('s1'), { attrs: { reason: 'FRAUD' } }), entry('stoplist', tok('n1'))], deletes: [tok('s0'), tok('s2')] });
      const back = entry('stoplist', tok('s0'), { attrs: { reason: 'STOLEN' } });
      lists.applyDelta({ meta: meta('stoplist', 3), baseVersion: 2, upserts: [back], deletes: [tok('s1'), tok('n1'), tok('s2')] });
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 3), count: 40 - 2 }]);
      expect(lists.lookup([tok('s0'), tok('s1'), tok('s2'), tok('n1'), tok('s3')], ['stoplist']).sort(byToken)).toEqual([back, base[3] ?? back].sort(byToken));
      lists.applyDelta({ meta: meta('stoplist', 4), baseVersion: 3, upserts: [entry('stoplist', tok('s2'))], deletes: [tok('s0')] });
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 4), count: 40 - 2 }]);
      expect(lists.lookup([tok('s0'), tok('s2')], ['stoplist'])).toEqual([entry('stoplist', tok('s2'))]);
    });

    it("swaps a snapshot over applied deltas: only the snapshot's entries remain", () => {
      const { lists } = make();
      lists.replaceList(meta('stoplist', 1), [stopped]);
      lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [entry('stoplist', pan), entry('stoplist', other)], deletes: [par] });
      lists.replaceList(meta('benefit', 1), [holder]);
      lists.replaceList(meta('stoplist', 3), [entry('stoplist', other, { attrs: { reason: 'FRAUD' } })]);
      expect(lists.lookup([pan, par, other], ['stoplist'])).toEqual([entry('stoplist', other, { attrs: { reason: 'FRAUD' } })]);
      expect(lists.lookup([pan], ['benefit'])).toEqual([holder]);
      lists.applyDelta({ meta: meta('stoplist', 4), baseVersion: 3, upserts: [stopped], deletes: [] });
      expect(lists.meta().find((m) => m.list === 'stoplist')).toEqual({ ...meta('stoplist', 4), count: 2 });
    });

    it('swaps a snapshot in steps: the old list answers until the last step, then the new one; a bad entry keeps the old', async () => {
      const { lists } = make();
      const old = Array.from({ length: 10 }, (_, i) => entry('stoplist', tok(`s${i}`), { attrs: { reason: 'LOST' } }));
      lists.replaceList(meta('stoplist', 1), old);
      const fresh = Array.from({ length: 10 }, (_, i) => entry('stoplist', tok(`s${i + 5}`), { attrs: { reason: 'FRAUD' } }));
      const seen: string[] = [];
      const look = (): string => lists.lookup([tok('s0'), tok('s12')], ['stoplist']).map((e) => String(e.attrs.reason)).join();
      await lists.replaceListInSteps(meta('stoplist', 2), fresh, { rowsPerStep: 3, between: () => Promise.resolve(void seen.push(look())) });
      expect(new Set(seen)).toEqual(new Set(['LOST']));
      expect(look()).toBe('FRAUD');
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 10 }]);
      const bad = [...fresh.slice(0, 7), entry('benefit', tok('x')), ...fresh.slice(7)];
      await expect(lists.replaceListInSteps(meta('stoplist', 3), bad, { rowsPerStep: 3, between: () => Promise.resolve() })).rejects.toMatchObject({ code: 'LIST_FILE_INVALID' });
      await expect(lists.replaceListInSteps(meta('stoplist', 2), fresh, { rowsPerStep: 3, between: () => Promise.resolve() })).rejects.toMatchObject({ code: 'LIST_VERSION_ROLLBACK' });
      expect(look()).toBe('FRAUD');
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 10 }]);
    });

    it('refuses a delta on another base, on no list, or going backwards, changing nothing', () => {
      const { lists } = make();
      expectCode(() => lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts: [stopped], deletes: [] }), 'LIST_BASE_MISMATCH');
      lists.replaceList(meta('stoplist', 3), [stopped]);
      for (const baseVersion of [2, 4]) {
        expectCode(() => lists.applyDelta({ meta: meta('stoplist', 5), baseVersion, upserts: [], deletes: [par] }), 'LIST_BASE_MISMATCH');
      }
      expectCode(() => lists.applyDelta({ meta: meta('stoplist', 3), baseVersion: 3, upserts: [], deletes: [par] }), 'LIST_VERSION_ROLLBACK');
      expect(lists.lookup([par], ['stoplist'])).toEqual([stopped]);
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 3), count: 1 }]);
    });

    it('half-applies nothing when an upsert is bad after a delete and a good upsert', () => {
      const { lists } = make();
      lists.replaceList(meta('stoplist', 3), [stopped]);
      const upserts = [entry('stoplist', other), entry('stoplist', pan, { validFrom: 'yesterday' })];
      expectCode(() => lists.applyDelta({ meta: meta('stoplist', 4), baseVersion: 3, upserts, deletes: [par] }), 'LIST_FILE_INVALID');
      expect(lists.lookup([par, other, pan], ['stoplist'])).toEqual([stopped]);
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 3), count: 1 }]);
    });

    it('extends freshness only on the exact version held, only forward', () => {
      const { lists } = make();
      lists.replaceList(meta('stoplist', 3), [stopped]);
      const held = meta('stoplist', 3).expiresAtMs;
      expect(lists.extendFreshness('stoplist', 2, held + DAY_MS)).toBe(false);
      expect(lists.extendFreshness('benefit', 3, held + DAY_MS)).toBe(false);
      expect(lists.extendFreshness('stoplist', 3, held - DAY_MS)).toBe(false);
      expect(lists.extendFreshness('stoplist', 3, held + DAY_MS)).toBe(true);
      expect(lists.meta()).toEqual([{ ...meta('stoplist', 3), expiresAtMs: held + DAY_MS, count: 1 }]);
      expect(lists.lookup([par], ['stoplist'])).toEqual([stopped]);
    });

    it('gives usage history newest first, newer than `since`, at most `limit`', () => {
      const { lists, journal } = make();
      for (let i = 1; i <= 6; i += 1) journal.append(tap(i), usage(T0 + i * 60_000, { kind: i % 2 ? 'RIDE' : 'COMPANION' }));
      journal.append(tap(7, { token: other }), usage(T0 + 7 * 60_000, { kind: 'MEAL', mealWindow: 'lunch', amountKopecks: 9500, free: false }));
      journal.append(tap(8, { token: other }), null);
      const h = lists.history(tok('card-1'), T0 + 2 * 60_000, 3);
      expect(h.map((e) => e.seq)).toEqual([6, 5, 4]);
      expect(h[0]).toEqual({ seq: 6, ...usage(T0 + 6 * 60_000, { kind: 'COMPANION' }) });
      expect(lists.history(tok('card-1'), T0 + 2 * 60_000, 100).map((e) => e.seq)).toEqual([6, 5, 4, 3]);
      expect(lists.history(other, 0, 10)).toEqual([{ seq: 7, ...usage(T0 + 7 * 60_000, { kind: 'MEAL', mealWindow: 'lunch', amountKopecks: 9500, free: false }) }]);
      expect(lists.history(tok('card-1'), 0, 0)).toEqual([]);
    });

    it('forgets usage older than the retention, but not on a faulty clock', () => {
      const { lists, journal } = make({ usageRetentionDays: 40 });
      journal.append(tap(1), usage(T0, { direction: 'IN' }));
      const faulty = { ...tap(2).decision, flags: { staleList: false, restricted: false, clockFault: true } };
      journal.append(tap(2, { wallMs: T0 + 41 * DAY_MS, decision: faulty }), null);
      expect(lists.history(tok('card-1'), 0, 10).map((e) => e.seq)).toEqual([1]);
      journal.append(tap(3, { wallMs: T0 + 39 * DAY_MS }), usage(T0 + 39 * DAY_MS));
      journal.append(tap(4, { wallMs: T0 + 41 * DAY_MS }), null);
      expect(lists.history(tok('card-1'), 0, 10).map((e) => e.seq)).toEqual([3]);
    });
  });
}
