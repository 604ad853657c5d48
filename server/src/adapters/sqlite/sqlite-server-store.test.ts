import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { IngestStore, QueryStore } from '../../ports/ingest-store.js';
import { serverStoreContract } from '../../ports/server-store.contract.js';
import { openServerDb, type ServerDb } from './open-server-db.js';
import { SqliteIngestStore } from './sqlite-ingest-store.js';
import { SqliteQueryStore } from './sqlite-query-store.js';
import { SCHEMA_VERSION } from './migrations.js';
import { makeTap } from '../../testing/tap-fixtures.js';

const open: ServerDb[] = [];
afterEach(() => open.splice(0).forEach((db) => db.close()));

function store(): IngestStore & QueryStore {
  const db = openServerDb(join(mkdtempSync(join(tmpdir(), 'rescard-server-')), 'server.db'));
  open.push(db);
  const ingest = new SqliteIngestStore(db);
  const query = new SqliteQueryStore(db);
  const both: IngestStore & QueryStore = {
    transaction: (fn) => ingest.transaction(fn),
    insertTap: (r) => ingest.insertTap(r),
    storedTapId: (d, q) => ingest.storedTapId(d, q),
    loadSeqState: (d) => ingest.loadSeqState(d),
    saveSeqState: (d, st, c, n) => ingest.saveSeqState(d, st, c, n),
    saveStatus: (st, n, via) => ingest.saveStatus(st, n, via),
    devices: () => query.devices(),
    device: (d) => query.device(d),
    gaps: (d, l) => query.gaps(d, l),
    taps: (q) => query.taps(q),
    tapCount: (d) => query.tapCount(d),
    propagation: (l, v) => query.propagation(l, v),
  };
  return both;
}

serverStoreContract('SQLite', store);

it('SQLite: WAL, synchronous=FULL, the latest schema, and a full PAN never gets in', () => {
  const s = store();
  const db = open[0]!.db;
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(db.pragma('synchronous', { simple: true })).toBe(2);
  expect(open[0]!.schemaVersion).toBe(SCHEMA_VERSION);
  const row = { deviceId: 'd', tap: makeTap(1, { panMasked: '2200000000000004' }), receivedAtMs: 1, late: false, batchId: 'b', viaGatewayId: null };
  expect(() => s.transaction(() => s.insertTap(row))).toThrow(expect.objectContaining({ code: 'PROTOCOL_INVALID' }) as Error);
  expect(s.tapCount()).toBe(0);
});
