import { decodePayload, heartbeatSchema, topics } from '@rescard/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DAY_MS, meta, T0 } from '../adapters/sqlite/contract-fixtures.js';
import { FakeMessageBus } from '../ports/fake-message-bus.js';
import { buildHeartbeat, percentile } from './heartbeat.js';
import { HeartbeatPublisher } from './heartbeat-publisher.js';
import { FakeScheduler } from './scheduler.js';

const journal = { depth: 900, capacity: 1000, alarm: true, oldestWallMs: T0 - 60_000, nextSeq: 1901 };

describe('heartbeat', () => {
  it('carries queue, lists, restricted mode, clock and latency figures, and passes the schema', () => {
    const hb = buildHeartbeat({
      deviceId: 'bus-17',
      profile: 'bus',
      appVersion: '0.1.0',
      nowMs: T0,
      journal,
      lists: [meta('stoplist', 9), { ...meta('benefit', 3), expiresAtMs: T0 - 1 }],
      clockFault: true,
      latenciesMs: [10, 20, 30, 40, 500],
    });
    expect(decodePayload(heartbeatSchema, JSON.stringify(hb))).toMatchObject({ ok: true });
    expect(hb.queue).toEqual({ depth: 900, capacity: 1000, alarm: true, oldestAgeMs: 60_000 });
    expect(hb.lists).toEqual({ stoplist: { version: 9, ageMs: DAY_MS, stale: false }, benefit: { version: 3, ageMs: DAY_MS, stale: true } });
    expect(hb.restricted).toBe(true);
    expect(hb.tapLatencyMs).toEqual({ p50: 30, p99: 500 });
    expect(hb.alarms).toEqual(['JOURNAL_ALARM', 'RESTRICTED_MODE', 'CLOCK_FAULT', 'LIST_STALE:benefit']);
  });

  it('reports a never-loaded list and no latency yet as such', () => {
    const hb = buildHeartbeat({ deviceId: 'g-1', profile: 'gate', appVersion: 'x', nowMs: T0, journal: { ...journal, depth: 0, alarm: false, oldestWallMs: null }, lists: [], clockFault: false, latenciesMs: [] });
    expect(hb.lists.roster).toEqual({ version: 0, ageMs: null, stale: true });
    expect(hb.queue.oldestAgeMs).toBeNull();
    expect(hb.tapLatencyMs).toEqual({ p50: null, p99: null });
    expect(percentile([5], 99)).toBe(5);
  });

  it('is published retained on connect and every heartbeatMs; stop publishes the retained offline status', async () => {
    const bus = new FakeMessageBus({ connected: false });
    const scheduler = new FakeScheduler();
    let n = 0;
    const publisher = new HeartbeatPublisher({
      deviceId: 'bus-17',
      bus,
      scheduler,
      heartbeatMs: 30_000,
      log: pino({ level: 'silent' }),
      build: () => ({ ...buildHeartbeat({ deviceId: 'bus-17', profile: 'bus', appVersion: '1', nowMs: T0, journal, lists: [], clockFault: false, latenciesMs: [] }), atMs: ++n }),
    });
    publisher.start();
    scheduler.advance(60_000);
    expect(bus.published).toHaveLength(0); // offline: nothing queues
    bus.setConnected(true);
    scheduler.advance(60_000);
    const status = bus.take(topics.deviceStatus('bus-17'));
    expect(status.map((m) => m.options)).toEqual(Array(3).fill({ qos: 1, retain: true }));
    expect(status.map((m) => (JSON.parse(m.payload.toString()) as { atMs: number }).atMs)).toEqual([1, 2, 3]); // nothing was even built while offline
    await publisher.stop();
    const [last] = bus.take(topics.deviceStatus('bus-17'));
    expect(JSON.parse(last!.payload.toString())).toEqual({ v: 1, deviceId: 'bus-17', online: false });
    scheduler.advance(60_000);
    expect(bus.published).toHaveLength(0);
  });
});
