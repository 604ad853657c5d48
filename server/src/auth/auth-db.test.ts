/** auth.db at open: created with its schema and settings, reopened as is, refused when newer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuthDb } from './auth-db.js';

const root = mkdtempSync(join(tmpdir(), 'rescard-auth-db-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openAuthDb', () => {
  it('creates the schema (v1) with WAL, synchronous=FULL and foreign keys, and reopens it unchanged', () => {
    const path = join(root, 'fresh', 'auth', 'auth.db');
    const db = openAuthDb(path);
    const p = (name: string): unknown => db.pragma(name, { simple: true });
    expect([p('user_version'), p('journal_mode'), p('synchronous'), p('foreign_keys'), p('busy_timeout')]).toEqual([1, 'wal', 2, 1, 5000]);
    db.prepare("INSERT INTO audit (at_ms, event) VALUES (1, 'login')").run();
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
    const again = openAuthDb(path);
    expect(again.prepare('SELECT event FROM audit').pluck().all()).toEqual(['login']);
    again.close();
  });

  it('refuses a database newer than the program as AUTH_STORE_FAILURE naming the file, and leaves it alone', () => {
    const path = join(root, 'newer', 'auth.db');
    openAuthDb(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 2');
    raw.close();
    expect(() => openAuthDb(path)).toThrow(
      expect.objectContaining({ code: 'AUTH_STORE_FAILURE', message: `${path} schema v2 is newer than this program (v1): install the newer server` }),
    );
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    after.close();
  });
});
