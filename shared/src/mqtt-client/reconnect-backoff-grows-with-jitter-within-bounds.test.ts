/**
 * Reconnects follow the jittered exponential backoff: refused connects are retried after delays
 * that double from reconnectMinMs up to reconnectMaxMs, each at a point in [d/2, d] set by its
 * random draw; a successful connection starts the backoff over. Measured at a REAL aedes broker
 * (an ephemeral port) that refuses every CONNECT (CONNACK 5).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AedesTestBroker, cleanUp, testConnection, wait } from './aedes-test-broker.js';
import { nominalDelayMs, reconnectDelayMs } from './backoff.js';
import type { MqttConnection } from './mqtt-connection.js';

// A timer never fires early, so the gaps are checked from below only: on a loaded machine a timer
// may fire late by any amount (no timing limits in tests). The delays themselves are unit-tested
// in backoff.test.ts.
const backoff = { minMs: 50, maxMs: 400 };
afterEach(cleanUp);

function connection(url: string, random: () => number): MqttConnection {
  return testConnection({ url, clientId: 'bus-4', reconnectMinMs: backoff.minMs, reconnectMaxMs: backoff.maxMs, random });
}

describe('reconnect backoff against a broker that refuses', { timeout: 20_000 }, () => {
  it('the gaps between attempts double from min to max, each within [d/2, d] at the point its draw sets', async () => {
    const b = await AedesTestBroker.create();
    b.refuseConnects = true;
    const draws: number[] = [];
    const c = connection(b.url, () => {
      const r = Math.random();
      draws.push(r);
      return r;
    });
    c.start();
    await vi.waitFor(() => expect(b.connectsAtMs.length).toBeGreaterThanOrEqual(7), wait);
    await c.close();

    const at = b.connectsAtMs;
    const gaps = at.slice(1, 7).map((t, i) => t - (at[i] ?? 0));
    expect(gaps.map((_, i) => nominalDelayMs(i, backoff))).toEqual([50, 100, 200, 400, 400, 400]);
    gaps.forEach((gap, i) => {
      const d = nominalDelayMs(i, backoff);
      const drawn = reconnectDelayMs(i, backoff, () => draws[i] ?? NaN);
      expect(drawn).toBeGreaterThanOrEqual(d / 2);
      expect(drawn).toBeLessThanOrEqual(d);
      expect(gap).toBeGreaterThanOrEqual(drawn - 2);
    });
    expect(Math.min(...gaps.slice(3))).toBeGreaterThan(gaps[0] ?? Infinity);
    expect(c.connected).toBe(false);
  });

  it('a successful connection starts the backoff over: after a loss the first retry is not the grown delay', async () => {
    const b = await AedesTestBroker.create();
    b.refuseConnects = true;
    // The delays are exactly d: 50, 100, 200, 400, 800, ...; without the start-over the retry after
    // the loss would wait the next of them (1,600 ms or more).
    const grown = { minMs: 50, maxMs: 10_000 };
    const c = testConnection({ url: b.url, clientId: 'bus-4', reconnectMinMs: grown.minMs, reconnectMaxMs: grown.maxMs, random: () => 1 });
    c.start();
    await vi.waitFor(() => expect(b.connectsAtMs.length).toBeGreaterThanOrEqual(6), wait);
    b.refuseConnects = false;
    await vi.waitFor(() => expect(c.connected).toBe(true), { ...wait, timeout: 10_000 });

    const attempts = b.connectsAtMs.length;
    const droppedAt = performance.now();
    b.dropConnections();
    await vi.waitFor(() => expect(c.connected).toBe(false), wait);
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    expect(b.connectsAtMs).toHaveLength(attempts + 1);
    const retryAfter = (b.connectsAtMs[attempts] ?? Infinity) - droppedAt;
    expect(retryAfter).toBeGreaterThanOrEqual(grown.minMs - 2);
    // Started over: minMs (50) plus whatever lateness, far below the grown delay.
    expect(retryAfter).toBeLessThan(nominalDelayMs(attempts - 1, grown));
  });
});
