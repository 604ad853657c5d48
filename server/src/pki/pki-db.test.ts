/** pki.db at open: its three tables and settings, kept across reopening; a newer schema is refused. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openPkiDb } from './pki-db.js';
import { pkiTempDir } from './pki-fixtures.js';

const root = pkiTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tables = (db: Database.Database): unknown[] => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

describe('openPkiDb', () => {
  it('creates enrolment_token, device and certificate (v1) in WAL with foreign keys, once', () => {
    const path = join(root, 'fresh', 'pki', 'pki.db');
    const db = openPkiDb(path);
    expect([db.pragma('journal_mode', { simple: true }), db.pragma('foreign_keys', { simple: true })]).toEqual(['wal', 1]);
    expect(tables(db)).toEqual(['certificate', 'device', 'enrolment_token']);
    db.close();
    const again = openPkiDb(path);
    expect([again.pragma('user_version', { simple: true }), tables(again)]).toEqual([1, ['certificate', 'device', 'enrolment_token']]);
    again.close();
  });

  it('wraps the refusal of a newer schema as PKI_STORE_FAILURE with the path', () => {
    const path = join(root, 'newer', 'pki.db');
    const db = openPkiDb(path);
    db.pragma('user_version = 2'); // as a newer program would leave it
    db.close();
    const message = `device registry ${path}: pki.db schema v2 is newer than this program (v1): install the newer server`;
    expect(() => openPkiDb(path)).toThrow(expect.objectContaining({ code: 'PKI_STORE_FAILURE', message, details: { path } }));
  });
});
