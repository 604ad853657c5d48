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

function openSqlite(path: string, options: StoreOptions): StoreUnderTest {
  const device = openDeviceDb(path);
  // Prune on every tap so the retention test needs few taps; production default is 128.
  const journal = new SqliteTapJournal(device, { ...options, pruneEveryTaps: 1 });
  return {
    lists: new SqliteListStore(device),
    journal,
    reopen: () => {
      device.close();
      return openSqlite(path, options);
    },
    close: () => device.close(),
  };
}

export const sqliteStoreFactory: StoreFactory = (options = {}) => openSqlite(tempDbPath(), options);
