import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, meta, tok } from '../adapters/sqlite/contract-fixtures.js';
import { tempDbPath } from '../adapters/sqlite/contract-stores.js';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { ListCompactor } from './list-compactor.js';

const log = pino({ level: 'silent' });

/** A store with `pending` rows to fold; records each step's size, and can be made to fail. */
function countingStore(pending: number): { store: { compactDeltas(n: number): number }; steps: number[]; fail: { next: boolean } } {
  const steps: number[] = [];
  const fail = { next: false };
  let left = pending;
  return {
    steps,
    fail,
    store: {
      compactDeltas(n: number): number {
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
    compactor = new ListCompactor({ store, log, rowsPerStep: 256, pauseMs: 1 });
    compactor.kick();
    compactor.kick(); // a second kick while stepping starts nothing more
    await compactor.idle();
    expect(steps).toEqual([256, 256, 188, 0]);
    expect(compactor.foldedRows).toBe(700);
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
    compactor = new ListCompactor({ store, log, rowsPerStep: 200, pauseMs: 1, retryMs: 20 });
    const started = performance.now();
    compactor.kick();
    await compactor.idle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(steps).toEqual([200, 100, 0]);
  });

  it('takes no step after stop(), and idle() resolves', async () => {
    const { store, steps } = countingStore(1000);
    compactor = new ListCompactor({ store, log, rowsPerStep: 100, pauseMs: 5 });
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
    compactor = new ListCompactor({ store: { compactDeltas: (n) => {
      const rows = lists.compactDeltas(n);
      seen.add(JSON.stringify(answer()));
      return rows;
    } }, log, rowsPerStep: 64, pauseMs: 0 });
    compactor.kick();
    await compactor.idle();
    expect(compactor.foldedRows).toBe(1000);
    expect([...seen]).toEqual([JSON.stringify(expected)]);
    expect(pending.get()?.n).toBe(0);
    expect(lists.meta()).toEqual([{ ...meta('stoplist', 2), count: 2000 - 400 }]);
  });
});
