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
 * When the SQLite store does its housekeeping (compact: fold pending delta rows, drop the rows of
 * replaced snapshots): never (every delta stays pending, every old generation stays), all of it
 * right after each delta or snapshot in steps of 7 rows, or one step of 7 only (some of a delta's
 * tokens folded, the rest pending; an old generation partly deleted). Every answer must be the same.
 */
export type Housekeeping = 'never' | 'all' | 'some';

function housekeeping(store: SqliteListStore, mode: Housekeeping): SqliteListStore {
  if (mode === 'never') return store;
  const tidy = (): void => {
    if (mode === 'some') store.compact({ foldRows: 7, dropRows: 7 });
    else while (store.compact({ foldRows: 7, dropRows: 7 }) > 0);
  };
  const applyDelta = store.applyDelta.bind(store);
  const replaceList = store.replaceList.bind(store);
  store.applyDelta = (delta) => {
    applyDelta(delta);
    tidy();
  };
  store.replaceList = (meta, entries) => {
    replaceList(meta, entries);
    tidy();
  };
  return store;
}

function openSqlite(path: string, options: StoreOptions, mode: Housekeeping): StoreUnderTest {
  const device = openDeviceDb(path);
  // Prune on every tap so the retention test needs few taps; production default is 128.
  const journal = new SqliteTapJournal(device, { ...options, pruneEveryTaps: 1 });
  return {
    lists: housekeeping(new SqliteListStore(device), mode),
    journal,
    reopen: () => {
      device.close();
      return openSqlite(path, options, mode);
    },
    close: () => device.close(),
  };
}

export const sqliteStoreFactory = (mode: Housekeeping = 'never'): StoreFactory => (options = {}) => openSqlite(tempDbPath(), options, mode);
