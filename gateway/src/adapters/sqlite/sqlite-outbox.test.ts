import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outboxContract } from '../../ports/outbox.contract.js';
import { incoming, range } from '../../testing/tap-fixtures.js';
import { openGatewayDb } from './open-gateway-db.js';
import { SqliteOutbox } from './sqlite-outbox.js';

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), 'rescard-gw-outbox-')), 'gateway.db');

outboxContract('SqliteOutbox', (capacity) => new SqliteOutbox(openGatewayDb(dbPath()), capacity));

describe('SqliteOutbox on a file', () => {
  it('keeps custody across a reopen: rows, marks, depth and delivered flags', () => {
    const path = dbPath();
    const db = openGatewayDb(path);
    const o = new SqliteOutbox(db, 100);
    o.accept('bus-1', incoming(range(1, 6)), 5);
    o.applyUpstreamAck([{ deviceId: 'bus-1', committedUpTo: 2 }], o.pending(0, 10).slice(4).map((r) => r.rowid));
    db.close();
    const again = new SqliteOutbox(openGatewayDb(path), 100);
    expect(again.highWater('bus-1')).toBe(6);
    expect(again.stats()).toEqual({ depth: 4, capacity: 100, undelivered: 2, oldestReceivedAtMs: 5 });
    expect(again.pending(0, 10).map((r) => r.seq)).toEqual([3, 4]);
    expect(again.accept('bus-1', incoming([1, 2, 6, 7]), 6)).toMatchObject({ committedUpTo: 7, inserted: 1, duplicates: 3 });
  });

  it('never reuses a rowid, so a late ack cannot mark a newer tap delivered', () => {
    const o = new SqliteOutbox(openGatewayDb(dbPath()), 100);
    o.accept('bus-1', incoming([1]), 1);
    const first = o.pending(0, 1)[0]!.rowid;
    o.applyUpstreamAck([{ deviceId: 'bus-1', committedUpTo: 1 }], []);
    o.accept('bus-1', incoming([2]), 2);
    expect(o.pending(0, 1)[0]!.rowid).toBeGreaterThan(first);
  });
});
