/** gateway.db's migrations through the shared runner: created once, refused when newer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, migrate } from './migrations.js';

const root = mkdtempSync(join(tmpdir(), 'rescard-gateway-db-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

const openRaw = (): Database.Database => new Database(join(root, `gateway-${(files += 1)}.db`));

describe('gateway.db migrations', () => {
  it('create the tables once; a second run is a no-op', () => {
    const db = openRaw();
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    expect(tables).toEqual(['device_mark', 'outbox', 'retained', 'terminal_status']);
    db.close();
  });

  it('refuse a database newer than the program as GATEWAY_STORE_FAILURE', () => {
    const db = openRaw();
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(expect.objectContaining({ code: 'GATEWAY_STORE_FAILURE', details: { schemaVersion: SCHEMA_VERSION + 1, supportedVersion: SCHEMA_VERSION } }));
    db.close();
  });
});
