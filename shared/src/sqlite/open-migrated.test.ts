/** openMigrated: a usable, migrated handle or an error, never a half-opened file left open. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openMigrated } from './open-migrated.js';
import { SCHEMA, schemaOf, tempDbPath, userVersionOf } from './test-db.js';

describe('openMigrated', () => {
  it('sets the pragmas in order, then migrates', () => {
    const { db, from, to } = openMigrated(() => new Database(tempDbPath()), SCHEMA, {
      pragmas: ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 1234'],
    });
    expect([from, to]).toEqual([0, 3]);
    expect([db.pragma('journal_mode', { simple: true }), db.pragma('synchronous', { simple: true }), db.pragma('busy_timeout', { simple: true })])
      .toEqual(['wal', 2, 1234]);
    expect(userVersionOf(db)).toBe(3);
    db.close();
  });

  it('closes the handle when the database is refused, and when a pragma fails', () => {
    const path = tempDbPath();
    const raw = new Database(path);
    raw.pragma('user_version = 9');
    raw.close();
    let opened: Database.Database | undefined;
    expect(() => openMigrated(() => (opened = new Database(path)), SCHEMA)).toThrow(/newer than this program/);
    expect(opened?.open).toBe(false);

    let other: Database.Database | undefined;
    expect(() => openMigrated(() => (other = new Database(tempDbPath())), SCHEMA, { pragmas: ['no_such_pragma = (;'] })).toThrow();
    expect(other?.open).toBe(false);
  });

  it('passes the upgrade option on: an older database is refused untouched', () => {
    const path = tempDbPath();
    const old = openMigrated(() => new Database(path), { ...SCHEMA, migrations: SCHEMA.migrations.slice(0, 1) });
    const v1 = schemaOf(old.db);
    old.db.close();
    expect(() => openMigrated(() => new Database(path), SCHEMA, { upgrade: false })).toThrow(/older than this program/);
    const after = new Database(path);
    expect([userVersionOf(after), schemaOf(after)]).toEqual([1, v1]);
    after.close();
  });
});
