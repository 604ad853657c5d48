import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistryDb } from './registry-db.js';

describe('registry.db opens through the one migration runner', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rescard-registry-db-'));
    path = join(dir, 'registry', 'registry.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a new file gets the schema at v1, in WAL at synchronous FULL', () => {
    const db = openRegistryDb(path);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['import_run', 'list_source', 'registry_entry', 'stop_entry', 'stop_event']);
    db.close();
  });

  it('a current file opens while another connection holds the write lock (no write lock taken)', () => {
    openRegistryDb(path).close();
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const db = openRegistryDb(path);
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      db.close();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a file of a newer program is refused with REGISTRY_STORE_FAILURE and left as it was', () => {
    openRegistryDb(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 2');
    raw.close();
    let caught: unknown;
    try {
      openRegistryDb(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RescardError);
    expect((caught as RescardError).code).toBe('REGISTRY_STORE_FAILURE');
    expect((caught as RescardError).message).toMatch(/schema v2 is newer than this program \(v1\)/);
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    after.close();
  });
});
