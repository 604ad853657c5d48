/** What only the SQLite adapter can show: pragmas, migrations, integrity, storage, error translation. */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDbPath } from './contract-stores.js';
import { DAY_MS, appendN, entry, expectCode, meta, tap, tok, usage, T0 } from './contract-fixtures.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { openDeviceDb } from './open-device-db.js';
import { SqliteListStore } from './sqlite-list-store.js';
import { SqliteTapJournal } from './sqlite-tap-journal.js';

describe('openDeviceDb', () => {
  it('sets WAL, synchronous=FULL, foreign keys, busy timeout and a modest cache', () => {
    const dev = openDeviceDb(tempDbPath());
    const p = (name: string): unknown => dev.db.pragma(name, { simple: true });
    expect([p('journal_mode'), p('synchronous'), p('foreign_keys'), p('busy_timeout'), p('cache_size'), p('mmap_size')])
      .toEqual(['wal', 2, 1, 5000, -8192, 0]);
    dev.close();
  });

  it('migrates once: reopening keeps data and the schema version', () => {
    const path = tempDbPath();
    const first = openDeviceDb(path);
    expect(first.schemaVersion).toBe(SCHEMA_VERSION);
    new SqliteListStore(first).replaceList(meta('benefit', 1), [entry('benefit', tok('a'))]);
    first.setMeta('clock.lastTrustedWallMs', String(T0));
    first.close();
    const again = openDeviceDb(path);
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(new SqliteListStore(again).lookup([tok('a')], ['benefit'])).toHaveLength(1);
    expect(again.getMeta('clock.lastTrustedWallMs')).toBe(String(T0));
    expect(again.getMeta('absent')).toBeNull();
    expect(again.integrityCheck()).toEqual(['ok']);
    again.close();
  });

  it('opens a current database while another connection holds the write lock (status beside a device mid-swap)', () => {
    const path = tempDbPath();
    const device = openDeviceDb(path);
    new SqliteListStore(device).replaceList(meta('stoplist', 3), [entry('stoplist', tok('a'))]);
    device.db.prepare('BEGIN IMMEDIATE').run(); // the device, in the middle of a list swap
    try {
      const viewer = openDeviceDb(path, { busyTimeoutMs: 50 });
      expect(new SqliteListStore(viewer).meta()).toEqual([{ ...meta('stoplist', 3), count: 1 }]);
      viewer.close();
    } finally {
      device.db.prepare('ROLLBACK').run();
      device.close();
    }
  });

  it('migrates a v2 database holding a list only when asked to upgrade: same answers, and its old rows go once a snapshot replaces it', () => {
    const path = tempDbPath();
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) raw.exec(m.sql);
    raw.pragma('user_version = 2');
    const insert = raw.prepare('INSERT INTO list_entry (list, token, category, valid_from, valid_to, attrs) VALUES (?, ?, ?, NULL, NULL, NULL)');
    for (let i = 0; i < 300; i += 1) insert.run('benefit', Buffer.from(tok(`v2-${i}`), 'base64url'), 'PENSIONER');
    insert.run('benefit', 'legacy-text-token', 'VETERAN');
    raw.prepare('INSERT INTO list_meta (list, version, issued_at_ms, expires_at_ms, count) VALUES (?, ?, ?, ?, ?)').run('benefit', 4, T0, T0 + DAY_MS, 301);
    raw.close();

    // Only `start` upgrades: a command beside a device still running the old program refuses.
    expectCode(() => openDeviceDb(path, { upgrade: false }), 'STORE_FAILURE');
    const untouched = new Database(path);
    expect(untouched.pragma('user_version', { simple: true })).toBe(2);
    untouched.close();
    const fresh = openDeviceDb(tempDbPath(), { upgrade: false }); // a new database is always created
    expect(fresh.schemaVersion).toBe(SCHEMA_VERSION);
    fresh.close();

    const dev = openDeviceDb(path);
    expect(dev.schemaVersion).toBe(SCHEMA_VERSION);
    const lists = new SqliteListStore(dev);
    expect(lists.lookup([tok('v2-7'), 'legacy-text-token', tok('absent')], ['benefit']).map((e) => e.category).sort()).toEqual(['PENSIONER', 'VETERAN']);
    expect(lists.meta()).toEqual([{ list: 'benefit', version: 4, issuedAtMs: T0, expiresAtMs: T0 + DAY_MS, count: 301 }]);
    lists.replaceList({ ...meta('benefit', 5) }, [entry('benefit', tok('v2-7'), { category: 'STUDENT' })]);
    expect(lists.lookup([tok('v2-7'), tok('v2-8')], ['benefit']).map((e) => e.category)).toEqual(['STUDENT']);
    const stored = dev.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM list_entry WHERE list = 'benefit'");
    expect(stored.get()?.n).toBe(302); // the old generation waits for housekeeping
    while (lists.compact({ foldRows: 0, dropRows: 100 }) > 0);
    expect(stored.get()?.n).toBe(1);
    expect(lists.lookup([tok('v2-7')], ['benefit']).map((e) => e.category)).toEqual(['STUDENT']);
    expect(dev.integrityCheck()).toEqual(['ok']);
    dev.close();
  });

  it('refuses a database newer than the program, and a file that is not a database', () => {
    const path = tempDbPath();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expectCode(() => openDeviceDb(path), 'STORE_FAILURE');
    const junk = tempDbPath();
    writeFileSync(junk, 'this is not an SQLite file, it is a rider complaint'.repeat(100));
    expectCode(() => openDeviceDb(junk), 'STORE_FAILURE');
  });

  it('keeps next_seq to itself and reports failures of a closed database as STORE_FAILURE', () => {
    const dev = openDeviceDb(tempDbPath());
    expectCode(() => dev.setMeta('next_seq', '1'), 'STORE_FAILURE');
    const lists = new SqliteListStore(dev);
    dev.close();
    expectCode(() => lists.lookup([tok('a')], ['benefit']), 'STORE_FAILURE');
  });

  it('stores base64url tokens as 32-byte blobs and other tokens as text', () => {
    const dev = openDeviceDb(tempDbPath());
    new SqliteListStore(dev).replaceList(meta('roster', 1), [entry('roster', tok('a')), entry('roster', 'legacy-1=')]);
    const rows = dev.db.prepare('SELECT typeof(token) AS t, length(token) AS n FROM list_entry ORDER BY t').all();
    expect(rows).toEqual([{ t: 'blob', n: 32 }, { t: 'text', n: 9 }]);
    dev.close();
  });

  it('rolls back a delta whose upsert the database itself rejects midway', () => {
    const dev = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(dev);
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('a'))]);
    dev.db.exec(`CREATE TRIGGER reject_bad BEFORE INSERT ON list_delta_entry WHEN NEW.category = 'BAD'
      BEGIN SELECT RAISE(ABORT, 'rejected'); END`);
    const upserts = [entry('stoplist', tok('b')), entry('stoplist', tok('c'), { category: 'BAD' })];
    expectCode(() => lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts, deletes: [tok('a')] }), 'STORE_FAILURE');
    expect(lists.lookup([tok('a'), tok('b'), tok('c')], ['stoplist']).map((e) => e.token)).toEqual([tok('a')]);
    expect(lists.meta()[0]?.version).toBe(1);
    expect(lists.compact({ foldRows: 100, dropRows: 0 })).toBe(0);
    dev.close();
  });

  it('rolls back a fold of delta rows the database rejects midway: same answers, rows still pending', () => {
    const dev = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(dev);
    lists.replaceList(meta('stoplist', 1), [entry('stoplist', tok('a')), entry('stoplist', tok('d'))]);
    const upserts = [entry('stoplist', tok('b')), entry('stoplist', tok('c'), { category: 'BAD' })];
    lists.applyDelta({ meta: meta('stoplist', 2), baseVersion: 1, upserts, deletes: [tok('a')] });
    const answer = (): string[] => lists.lookup([tok('a'), tok('b'), tok('c'), tok('d')], ['stoplist']).map((e) => e.token).sort();
    const expected = [tok('b'), tok('c'), tok('d')].sort();
    expect(answer()).toEqual(expected);
    dev.db.exec(`CREATE TRIGGER reject_bad BEFORE INSERT ON list_entry WHEN NEW.category = 'BAD'
      BEGIN SELECT RAISE(ABORT, 'rejected'); END`);
    expectCode(() => lists.compact({ foldRows: 100, dropRows: 0 }), 'STORE_FAILURE');
    expect(answer()).toEqual(expected);
    expect(dev.db.prepare('SELECT count(*) AS n FROM list_delta_entry').get()).toEqual({ n: 3 });
    dev.db.exec('DROP TRIGGER reject_bad');
    expect(lists.compact({ foldRows: 100, dropRows: 0 })).toBe(3);
    expect(answer()).toEqual(expected);
    expect(lists.meta()[0]).toMatchObject({ version: 2, count: 3 });
    expect(dev.integrityCheck()).toEqual(['ok']);
    dev.close();
  });

  it('rolls back the whole tap when the usage insert fails: no row, no seq consumed', () => {
    const dev = openDeviceDb(tempDbPath());
    const journal = new SqliteTapJournal(dev);
    appendN(journal, 2);
    dev.db.exec(`CREATE TRIGGER reject_usage BEFORE INSERT ON usage_event BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    expectCode(() => journal.append(tap(3), usage(T0)), 'STORE_FAILURE');
    expect(journal.stats()).toMatchObject({ depth: 2, nextSeq: 3 });
    dev.db.exec('DROP TRIGGER reject_usage');
    expect(journal.append(tap(3), usage(T0)).seq).toBe(3);
    expect(dev.integrityCheck()).toEqual(['ok']);
    dev.close();
  });
});
