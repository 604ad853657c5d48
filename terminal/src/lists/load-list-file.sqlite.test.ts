/** loadListFile against the real device database (SqliteListStore on a temp SQLite file). */
import { RescardError } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { del, draft, options, put, storeState, tempPath, tok, writeRaw, writeSigned } from './list-file-fixtures.js';
import { loadListFile } from './load-list-file.js';

const N = 5_000;
const tokens = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => tok(from + i));

describe('loadListFile on SqliteListStore', () => {
  const open: DeviceDb[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  const device = (path: string): { db: DeviceDb; store: SqliteListStore } => {
    const db = openDeviceDb(path);
    open.push(db);
    return { db, store: new SqliteListStore(db) };
  };

  it('swaps a snapshot, applies a delta, survives a reopen; a bad file changes nothing', async () => {
    const dbPath = tempPath('device.db');
    const { db, store } = device(dbPath);
    const snapshot = await writeSigned(draft('stoplist', 10), tokens(0, N).map((t) => put(t, { attrs: { reason: 'LOST' } })));
    expect(await loadListFile(snapshot, options(store))).toMatchObject({ applied: 'snapshot', count: N, meta: { version: 10, count: N } });

    const delta = await writeSigned(draft('stoplist', 11, 10), [del(tok(0)), put(tok(N), { attrs: { reason: 'FRAUD' } })]);
    expect(await loadListFile(delta, options(store))).toMatchObject({ applied: 'delta', count: 2, meta: { version: 11, count: N } });

    const probe = [tok(0), tok(1), tok(N - 1), tok(N)];
    const before = storeState(store, probe);
    expect(before.entries.map((e) => e.token)).toHaveLength(3);

    // Signed and hashed correctly, but its last line is malformed: detected while the store stages it.
    const lines = tokens(100, 100 + N).map((t) => `{"t":"${t}"}`).join('\n');
    const bad = writeRaw(draft('stoplist', 12), `${lines}\n{"t":"${tok(1)}","a":{"reason":7}}\n`);
    const err = await loadListFile(bad, options(store)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RescardError);
    expect((err as RescardError).details).toMatchObject({ reason: 'line', line: N + 2, field: 'a.reason' });
    expect(storeState(store, probe)).toEqual(before);

    // A delta that fails verification at the end of its stream.
    const tampered = writeRaw(draft('stoplist', 12, 11), `{"op":"del","t":"${tok(1)}"}\n`, { count: 2 });
    expect(await loadListFile(tampered, options(store)).catch((e: unknown) => (e as RescardError).details)).toMatchObject({ reason: 'count' });
    expect(storeState(store, probe)).toEqual(before);

    db.close();
    const reopened = device(dbPath);
    expect(storeState(reopened.store, probe)).toEqual(before);
    expect(reopened.db.integrityCheck()).toEqual(['ok']);
  }, 60_000);
});
