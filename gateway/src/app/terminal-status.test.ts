import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePayload, topics, type Heartbeat } from '@rescard/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openGatewayDb, type GatewayDb } from '../adapters/sqlite/open-gateway-db.js';
import { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import { Rejects } from './rejects.js';
import { TerminalStatusBook } from './terminal-status.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
const dbs: GatewayDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const hb = (deviceId: string, atMs: number): Heartbeat => ({
  v: 1, deviceId, kind: 'terminal', online: true, atMs, appVersion: '0.1.0', profile: 'bus',
  queue: { depth: 0, capacity: 100, alarm: false, oldestAgeMs: null }, lists: { stoplist: { version: 3, ageMs: 1, stale: false } },
  restricted: false, clockFault: false, tapLatencyMs: { p50: null, p99: null }, alarms: [],
});

function open(path: string, clock: { now: number }): TerminalStatusBook {
  const db = openGatewayDb(path);
  dbs.push(db);
  return new TerminalStatusBook(new SqliteRelayState(db), new Rejects(log), () => clock.now, log);
}

describe("a gateway relays its terminals' statuses upstream", () => {
  it('hands out the changed statuses once relayed, all after a reconnect, and remembers them across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-gw-status-'));
    dirs.push(dir);
    const clock = { now: 1000 };
    const book = open(join(dir, 'gateway.db'), clock);
    book.onMessage(topics.deviceStatus('t1'), encodePayload(hb('t1', 900)));
    clock.now = 1100;
    book.onMessage(topics.deviceStatus('t2'), encodePayload({ v: 1, deviceId: 't2', online: false }));
    const first = book.relay(false);
    expect(first.map((r) => [r.status.deviceId, r.receivedAtMs])).toEqual([['t1', 1000], ['t2', 1100]]);
    book.relayed(first);
    expect(book.relay(false)).toEqual([]);
    clock.now = 1200;
    book.onMessage(topics.deviceStatus('t1'), encodePayload(hb('t1', 1150)));
    const second = book.relay(false);
    expect(second.map((r) => r.status.deviceId)).toEqual(['t1']);
    // A status that changed again while the previous one was on its way stays to be relayed.
    clock.now = 1300;
    book.onMessage(topics.deviceStatus('t1'), encodePayload(hb('t1', 1250)));
    book.relayed(second);
    expect(book.relay(false).map((r) => r.receivedAtMs)).toEqual([1300]);
    expect(book.relay(true).map((r) => r.status.deviceId)).toEqual(['t1', 't2']);

    dbs.splice(0).forEach((db) => db.close());
    const restarted = open(join(dir, 'gateway.db'), clock);
    expect(restarted.relay(false).map((r) => [r.status.deviceId, r.receivedAtMs])).toEqual([['t1', 1300], ['t2', 1100]]);
  });
});
