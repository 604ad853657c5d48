/**
 * A big signed snapshot is parsed on a second thread (snapshot-parse-thread.ts) while the store
 * inserts: the same list as an in-thread parse, and the same refusals, with the old list kept.
 */
import { RescardError } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { draft, options, put, storeState, tempPath, tok, writeRaw, writeSigned } from './list-file-fixtures.js';
import { loadListFile } from './load-list-file.js';
import { IN_THREAD_BELOW_LINES, entriesParsedInWorker, parseSnapshotInWorker } from './snapshot-parse-thread.js';

const N = IN_THREAD_BELOW_LINES + 1234;
const tokens = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => tok(from + i));

describe('a snapshot parsed on a second thread', () => {
  const open: DeviceDb[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  const store = (): SqliteListStore => {
    const db = openDeviceDb(tempPath('device.db'));
    open.push(db);
    return new SqliteListStore(db);
  };

  it('yields every entry of the file in order, with its fields, and returns the verified digest', async () => {
    const entries = tokens(0, 3000).map((t, i) => put(t, i % 3 === 0 ? { category: 'pensioner', validFrom: '2025-01-01', validTo: '2025-12-31', attrs: { usedInPeriod: 3, usedPeriod: '2025-09' } } : {}));
    const path = await writeSigned(draft('benefit', 4), entries);
    const { ListFileReader } = await import('@rescard/shared');
    const reader = await ListFileReader.open(path);
    const got = [];
    const gen = entriesParsedInWorker({ path, payloadOffset: reader.payloadOffset, expected: reader.promised() }, 'benefit');
    let r = gen.next();
    for (; !r.done; r = gen.next()) got.push(r.value);
    await reader.close();
    expect(r.value).toEqual({ sha256: reader.promised().sha256, count: 3000 });
    expect(got).toHaveLength(3000);
    expect(got[0]).toEqual({ list: 'benefit', token: tok(0), category: 'pensioner', validFrom: '2025-01-01', validTo: '2025-12-31', attrs: { usedInPeriod: 3, usedPeriod: '2025-09' } });
    expect(got[1]).toEqual({ list: 'benefit', token: tokens(1, 2)[0], category: null, validFrom: null, validTo: null, attrs: {} });
    expect(got.map((e) => e.token)).toEqual(tokens(0, 3000));
  });

  it('notices at once a thread that is gone: ready resolves and the entries fail fast, without the 30 s stall wait', async () => {
    const path = await writeSigned(draft('benefit', 4), tokens(0, 3000).map((t) => put(t)));
    const { ListFileReader } = await import('@rescard/shared');
    const reader = await ListFileReader.open(path);
    const parsed = parseSnapshotInWorker({ path, payloadOffset: reader.payloadOffset + 1e9, expected: reader.promised() }, 'benefit');
    await reader.close();
    const started = performance.now();
    await parsed.ready; // the thread found nothing to read where it was told, answered and ended
    const err = ((): unknown => {
      try {
        for (const _ of parsed.entries) void _;
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RescardError);
    expect((err as RescardError).code).toBe('LIST_FILE_INVALID');
    expect(performance.now() - started).toBeLessThan(10_000);
    parsed.close();
    parsed.close(); // idempotent
  });

  it(`loads a ${N}-entry snapshot through it; a bad line deep in the file or an altered payload leaves the old list in place`, async () => {
    const lists = store();
    const first = await writeSigned(draft('stoplist', 10), tokens(0, N).map((t) => put(t, { attrs: { reason: 'LOST' } })));
    expect(await loadListFile(first, options(lists))).toMatchObject({ applied: 'snapshot', count: N, meta: { version: 10, count: N } });
    const probe = [tok(0), tok(N - 1), tok(N + 5)];
    const before = storeState(lists, probe);
    expect(before.entries).toHaveLength(2);

    const lines = tokens(N, 2 * N).map((t) => `{"t":"${t}","c":null,"f":null,"u":null,"a":{}}`);
    lines[40_000] = `{"t":"${tok(7)}","c":null,"f":"2025-02-30","u":null,"a":{}}`; // no 30 February
    const bad = writeRaw(draft('stoplist', 11), `${lines.join('\n')}\n`);
    const err = await loadListFile(bad, options(lists)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RescardError);
    expect((err as RescardError).code).toBe('LIST_FILE_INVALID');
    expect((err as RescardError).details).toMatchObject({ reason: 'line', line: 40_002, field: 'f' });
    expect(storeState(lists, probe)).toEqual(before);

    lines[40_000] = `{"t":"${tok(7)}","c":null,"f":null,"u":null,"a":{}}`;
    const altered = writeRaw(draft('stoplist', 11), `${lines.join('\n')}\n`, { sha256: '0'.repeat(64) });
    expect(await loadListFile(altered, options(lists)).catch((e: unknown) => (e as RescardError).details)).toMatchObject({ reason: 'sha256' });
    expect(storeState(lists, probe)).toEqual(before);

    const good = writeRaw(draft('stoplist', 11), `${lines.join('\n')}\n`);
    expect(await loadListFile(good, options(lists))).toMatchObject({ applied: 'snapshot', count: N, meta: { version: 11, count: N } });
    expect(storeState(lists, probe).entries.map((e) => e.token)).toEqual([tok(N + 5)]);
  }, 120_000);
});
