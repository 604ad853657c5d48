import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, meta, tok } from '../adapters/sqlite/contract-fixtures.js';
import { tempDbPath } from '../adapters/sqlite/contract-stores.js';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import type { CompactLimits } from '../ports/list-store.js';
import { ListCompactor } from './list-compactor.js';

const log = pino({ level: 'silent' });

/** A store with `pending` rows to fold; records each step's size, and can be made to fail. */
function countingStore(pending: number): { store: { compact(limits: CompactLimits): number }; steps: number[]; fail: { next: boolean } } {
  const steps: number[] = [];
  const fail = { next: false };
  let left = pending;
  return {
    steps,
    fail,
    store: {
      compact({ foldRows: n }: CompactLimits): number {
        if (fail.next) {
          fail.next = false;
          throw new Error('disk I/O error');
        }
        const rows = Math.min(n, left);
        left -= rows;
        steps.push(rows);
        return rows;
      },
    },
  };
}

describe('ListCompactor', () => {
  let compactor: ListCompactor | null = null;
  let device: DeviceDb | null = null;
  afterEach(() => {
    compactor?.stop();
    device?.close();
    device = null;
  });

  it('folds in steps of rowsPerStep until a step folds nothing, then goes idle', async () => {
    const { store, steps } = countingStore(700);
    compactor = new ListCompactor({ store, log, foldRowsPerStep: 256, pauseMs: 1 });
    compactor.kick();
    compactor.kick(); // a second kick while stepping starts nothing more
    await compactor.idle();
    expect(steps).toEqual([256, 256, 188, 0]);
    expect(compactor.handledRows).toBe(700);
  });

  it('takes no step while a card is being handled, and resumes when it is done', async () => {
    const { store, steps } = countingStore(10);
    let busy = true;
    compactor = new ListCompactor({ store, log, quiet: () => !busy, pauseMs: 1 });
    compactor.kick();
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toEqual([]);
    busy = false;
    await compactor.idle();
    expect(steps).toEqual([10, 0]);
  });

  it('retries a failed step after retryMs and still folds everything', async () => {
    const { store, steps, fail } = countingStore(300);
    fail.next = true;
    compactor = new ListCompactor({ store, log, foldRowsPerStep: 200, pauseMs: 1, retryMs: 20 });
    const started = performance.now();
    compactor.kick();
    await compactor.idle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(steps).toEqual([200, 100, 0]);
  });

  it('kicks itself every everyMs (a list loaded by another process), and not after stop()', async () => {
    const { store, steps } = countingStore(5);
    compactor = new ListCompactor({ store, log, pauseMs: 1, everyMs: 15 });
    await new Promise((r) => setTimeout(r, 60));
    expect(steps.slice(0, 2)).toEqual([5, 0]);
    compactor.stop();
    const taken = steps.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(steps.length).toBe(taken);
  });

  it('takes no step after stop(), and idle() resolves', async () => {
    const { store, steps } = countingStore(1000);
    compactor = new ListCompactor({ store, log, foldRowsPerStep: 100, pauseMs: 5 });
    compactor.kick();
    await new Promise((r) => setTimeout(r, 12));
    const idle = compactor.idle();
    compactor.stop();
    await idle;
    const taken = steps.length;
    expect(taken).toBeLessThan(10);
    await new Promise((r) => setTimeout(r, 20));
    compactor.kick();
    expect(steps.length).toBe(taken);
  });

  it('folds a real delta into the device database while every lookup keeps its answer', async () => {
    device = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(device);
    const base = Array.from({ length: 2000 }, (_, i) => entry('stoplist', tok(`c${i}`), { attrs: { reason: 'LOST' } }));
    lists.replaceList(meta('stoplist', 1), base);
    const upserts = Array.from({ length: 600 }, (_, i) => entry('stoplist', tok(`c${i * 3}`), { attrs: { reason: 'FRAUD' } }));
    const deletes = Array.from({ length: 400 }, (_, i) => tok(`c${i * 3 + 1}`));
    lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts, deletes });
    const probe = [tok('c0'), tok('c1'), tok('c2'), tok('c1797'), tok('c1798'), tok('c1999')];
    const answer = (): string[] => lists.lookup(probe, ['stoplist']).map((e) => `${e.token}:${String(e.attrs.reason)}`).sort();
    const expected = answer();
    expect(expected).toHaveLength(5); // c1 deleted; c0, c1797 changed; c2, c1798, c1999 as they were
    const pending = device.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM list_delta_entry');
    expect(pending.get()?.n).toBe(1000);
    const seen = new Set<string>();
    compactor = new ListCompactor({ store: { compact: (limits) => {
      const rows = lists.compact(limits);
      seen.add(JSON.stringify(answer()));
      return rows;
    } }, log, foldRowsPerStep: 64, pauseMs: 0 });
    compactor.kick();
    await compactor.idle();
    expect(compactor.handledRows).toBe(1000);
    expect([...seen]).toEqual([JSON.stringify(expected)]);
    expect(pending.get()?.n).toBe(0);
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 2000 - 400 }]);
  });

  it('drops a replaced snapshot\'s rows in steps while lookups answer from the new one', async () => {
    device = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(device);
    lists.replaceList(meta('benefit', 1), Array.from({ length: 3000 }, (_, i) => entry('benefit', tok(`o${i}`), { category: 'OLD' })));
    const fresh = Array.from({ length: 500 }, (_, i) => entry('benefit', tok(`o${i * 2}`), { category: 'NEW' }));
    lists.replaceList(meta('benefit', 2), fresh);
    const stored = device.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM list_entry');
    expect(stored.get()?.n).toBe(3500);
    const probe = [tok('o0'), tok('o1'), tok('o998'), tok('o2999')];
    const answers = new Set<string>();
    compactor = new ListCompactor({ store: { compact: (limits) => {
      const rows = lists.compact(limits);
      answers.add(lists.lookup(probe, ['benefit']).map((e) => `${e.token}:${String(e.category)}`).sort().join());
      return rows;
    } }, log, dropRowsPerStep: 400, pauseMs: 0 });
    compactor.kick();
    await compactor.idle();
    expect(compactor.handledRows).toBe(3000);
    expect([...answers]).toEqual([[`${tok('o0')}:NEW`, `${tok('o998')}:NEW`].sort().join()]);
    expect(stored.get()?.n).toBe(500);
    expect(lists.meta()).toEqual([{ ...meta('benefit', 2), count: 500 }]);
  });
});
