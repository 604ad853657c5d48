/** The migration runner against real SQLite files (WAL, as every program opens them). */
import { describe, expect, it } from 'vitest';
import { isRescardError } from '../errors.js';
import { latestVersion, runMigrations, type SqliteSchema } from './migrate.js';
import { SCHEMA, connect, schemaOf, schemaUpTo, tempDbPath, userVersionOf } from './test-db.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('runMigrations', () => {
  it('creates a fresh database at the latest version, and reopening changes nothing', () => {
    const path = tempDbPath();
    const db = connect(path);
    expect(runMigrations(db, SCHEMA)).toEqual({ from: 0, to: 3 });
    expect(userVersionOf(db)).toBe(latestVersion(SCHEMA.migrations));
    db.prepare("INSERT INTO card (token, category) VALUES ('a', 'PENSIONER')").run();
    const created = schemaOf(db);
    db.close();

    const again = connect(path);
    expect(runMigrations(again, SCHEMA)).toEqual({ from: 3, to: 3 });
    expect(schemaOf(again)).toEqual(created);
    expect(again.prepare('SELECT token, category FROM card').all()).toEqual([{ token: 'a', category: 'PENSIONER' }]);
    again.close();
  });

  it.each([1, 2])('upgrades a v%i database written by an older program, keeping its rows', (old) => {
    const path = tempDbPath();
    const before = connect(path);
    expect(runMigrations(before, schemaUpTo(old))).toEqual({ from: 0, to: old });
    before.prepare("INSERT INTO card (token, category) VALUES ('a', 'STUDENT'), ('b', NULL)").run();
    before.close();

    const db = connect(path);
    expect(runMigrations(db, SCHEMA)).toEqual({ from: old, to: 3 });
    expect(db.prepare('SELECT token, category, note FROM card ORDER BY token').all()).toEqual([
      { token: 'a', category: 'STUDENT', note: null },
      { token: 'b', category: 'NONE', note: null },
    ]);
    const fresh = connect(tempDbPath());
    runMigrations(fresh, SCHEMA);
    expect(schemaOf(db)).toEqual(schemaOf(fresh)); // same schema as a database created new
    fresh.close();
    db.close();
  });

  it('opens a current database without a write lock: another connection is mid write transaction', () => {
    const path = tempDbPath();
    const writer = connect(path);
    runMigrations(writer, SCHEMA);
    writer.prepare('BEGIN IMMEDIATE').run(); // e.g. the device in the middle of a list swap
    try {
      writer.prepare("INSERT INTO card (token) VALUES ('in-flight')").run();
      const viewer = connect(path); // busy timeout 0: any wait for the lock would fail at once
      expect(runMigrations(viewer, SCHEMA)).toEqual({ from: 3, to: 3 });
      viewer.close();

      // The proof has teeth: a database that needs a step does want the lock, and cannot get it.
      const oldPath = tempDbPath();
      const old = connect(oldPath);
      runMigrations(old, schemaUpTo(2));
      old.prepare('BEGIN IMMEDIATE').run();
      const upgrader = connect(oldPath);
      expect(thrown(() => runMigrations(upgrader, SCHEMA))).toMatchObject({ code: 'SQLITE_BUSY' });
      upgrader.close();
      old.prepare('ROLLBACK').run();
      old.close();
    } finally {
      writer.prepare('ROLLBACK').run();
      writer.close();
    }
  });

  it('refuses a database newer than the program with the schema\'s code, and leaves it as it was', () => {
    const path = tempDbPath();
    const db = connect(path);
    runMigrations(db, SCHEMA);
    db.pragma('user_version = 4');
    const err = thrown(() => runMigrations(db, SCHEMA));
    expect(isRescardError(err, 'STORE_FAILURE')).toBe(true);
    expect(err).toMatchObject({
      message: 'test database schema v4 is newer than this program (v3): install the newer test program',
      details: { schemaVersion: 4, supportedVersion: 3 },
    });
    expect(userVersionOf(db)).toBe(4);
    db.close();
  });

  it('with upgrade false: creates a new database, refuses an older one and leaves it untouched', () => {
    const fresh = connect(tempDbPath());
    expect(runMigrations(fresh, SCHEMA, { upgrade: false })).toEqual({ from: 0, to: 3 });
    fresh.close();

    const db = connect(tempDbPath());
    runMigrations(db, schemaUpTo(2));
    const v2 = schemaOf(db);
    const err = thrown(() => runMigrations(db, SCHEMA, { upgrade: false }));
    expect(err).toMatchObject({
      code: 'STORE_FAILURE',
      message: 'test database schema v2 is older than this program (v3): run the upgrade',
      details: { schemaVersion: 2, supportedVersion: 3 },
    });
    expect(userVersionOf(db)).toBe(2);
    expect(schemaOf(db)).toEqual(v2);
    db.close();
  });

  it('a failing step leaves user_version and the schema as they were, and its error passes through', () => {
    const broken: SqliteSchema = {
      ...SCHEMA,
      migrations: [
        ...schemaUpTo(2).migrations,
        { version: 3, name: 'half good', sql: 'CREATE TABLE extra (id INTEGER PRIMARY KEY); DROP TABLE card; CREATE TABLE oops (;' },
      ],
    };
    const db = connect(tempDbPath());
    runMigrations(db, schemaUpTo(2));
    db.prepare("INSERT INTO card (token) VALUES ('kept')").run();
    const v2 = schemaOf(db);
    expect(thrown(() => runMigrations(db, broken))).toMatchObject({ code: 'SQLITE_ERROR' });
    expect(userVersionOf(db)).toBe(2);
    expect(schemaOf(db)).toEqual(v2);
    expect(db.prepare('SELECT token FROM card').pluck().all()).toEqual(['kept']);
    expect(db.inTransaction).toBe(false);

    // From a new file: the steps before the failing one stay applied, each its own transaction.
    const fresh = connect(tempDbPath());
    expect(() => runMigrations(fresh, broken)).toThrow();
    expect(userVersionOf(fresh)).toBe(2);
    expect(schemaOf(fresh)).toEqual(v2);
    fresh.close();
    db.close();
  });

  it('refuses migrations that do not run 1, 2, 3, ... before touching the database', () => {
    const db = connect(tempDbPath());
    const [first, second] = SCHEMA.migrations;
    const gap: SqliteSchema = { ...SCHEMA, migrations: [first!, { ...second!, version: 3 }] };
    expect(thrown(() => runMigrations(db, gap))).toMatchObject({ code: 'STORE_FAILURE', details: { migration: 'card notes' } });
    expect(userVersionOf(db)).toBe(0);
    expect(schemaOf(db)).toEqual([]);
    db.close();
  });
});
