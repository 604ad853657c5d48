/** SqliteListStore specifics the port's contract does not cover: the commit level of list work, a delta across a reopen. */
import { afterEach, describe, expect, it } from 'vitest';
import { entry, expectCode, meta, tok } from './contract-fixtures.js';
import { tempDbPath } from './contract-stores.js';
import { openDeviceDb, type DeviceDb } from './open-device-db.js';
import { SqliteListStore } from './sqlite-list-store.js';

const FULL = 2;

describe('SqliteListStore: list work commits at FULL', () => {
  let device: DeviceDb | null = null;
  afterEach(() => device?.close());

  it('is at synchronous=FULL after a snapshot, a delta, a refused delta and a delta inside a caller transaction', () => {
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
});
