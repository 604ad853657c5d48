/** The two implementations the contract tests run against: in-memory fakes and real SQLite files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FakeListStore } from '../../ports/fake-list-store.js';
import { FakeTapJournal } from '../../ports/fake-tap-journal.js';
import type { StoreFactory, StoreOptions, StoreUnderTest } from './contract-fixtures.js';
import { openDeviceDb } from './open-device-db.js';
import { SqliteListStore } from './sqlite-list-store.js';
import { SqliteTapJournal } from './sqlite-tap-journal.js';

export const fakeStoreFactory: StoreFactory = (options = {}) => {
  const lists = new FakeListStore();
  const journal = new FakeTapJournal({ ...options, usage: lists });
  const store: StoreUnderTest = { lists, journal, reopen: () => store, close: () => undefined };
  return store;
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh device database in its own temp dir. */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-store-'));
  dirs.push(dir);
  return join(dir, 'device.db');
}

/**
 * When the SQLite store folds its pending delta rows into the lists (compactDeltas): never (every
 * delta stays pending), all of them right after each delta in steps of 7 rows, or only the first
 * 7 rows (some of a delta's tokens folded, the rest pending). Every answer must be the same.
 */
export type FoldAfterDelta = 'never' | 'all' | 'some';

function folding(store: SqliteListStore, fold: FoldAfterDelta): SqliteListStore {
  if (fold === 'never') return store;
  const applyDelta = store.applyDelta.bind(store);
  store.applyDelta = (delta) => {
    applyDelta(delta);
    if (fold === 'some') store.compactDeltas(7);
    else while (store.compactDeltas(7) > 0);
  };
  return store;
}

function openSqlite(path: string, options: StoreOptions, fold: FoldAfterDelta): StoreUnderTest {
  const device = openDeviceDb(path);
  // Prune on every tap so the retention test needs few taps; production default is 128.
  const journal = new SqliteTapJournal(device, { ...options, pruneEveryTaps: 1 });
  return {
    lists: folding(new SqliteListStore(device), fold),
    journal,
    reopen: () => {
      device.close();
      return openSqlite(path, options, fold);
    },
    close: () => device.close(),
  };
}

export const sqliteStoreFactory = (fold: FoldAfterDelta = 'never'): StoreFactory => (options = {}) => openSqlite(tempDbPath(), options, fold);
