/**
 * A broker restart (clean sessions: the new broker knows no subscription): MqttConnection
 * subscribes every filter again and only then reports `connected`, so a message the broker
 * publishes the instant the program hears `connected` (an ack, a list announcement) arrives.
 * Against a REAL aedes broker on an ephemeral port.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AedesTestBroker, cleanUp, quietLog, testConnection, wait } from './aedes-test-broker.js';

afterEach(cleanUp);

describe('a broker restart', { timeout: 20_000 }, () => {
  it('every filter is subscribed again before `connected` is reported: a message published at that instant arrives', async () => {
    const b = await AedesTestBroker.create();
    const c = testConnection({ url: b.url, clientId: 'bus-1' });
    const received: string[] = [];
    c.onMessage((topic, payload) => received.push(`${topic}=${payload.toString()}`));
    const changes: boolean[] = [];
    c.onConnectionChange((up) => {
      changes.push(up);
      if (up) b.publish('rescard/test/ack', `at-connected-${changes.length}`);
    });
    await c.subscribe('rescard/test/ack', 1); // before start: kept for every connection
    c.start();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    await c.subscribe('rescard/test/lists/+', 1); // while connected: subscribed now, and on every connection
    await vi.waitFor(() => expect(received).toEqual(['rescard/test/ack=at-connected-1']), wait);

    await b.stop();
    await vi.waitFor(() => expect(c.connected).toBe(false), wait);
    b.events.length = 0;
    await b.start();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    b.publish('rescard/test/lists/region', 'v2');

    await vi.waitFor(() => expect(received).toEqual(['rescard/test/ack=at-connected-1', 'rescard/test/ack=at-connected-3', 'rescard/test/lists/region=v2']), wait);
    expect(changes).toEqual([true, false, true]);
    expect(b.events.filter((e) => e.startsWith('subscribe:')).sort()).toEqual(['subscribe:rescard/test/ack', 'subscribe:rescard/test/lists/+']);
  });

  it('a filter added while the connection is still subscribing is subscribed before `connected` too', async () => {
    const b = await AedesTestBroker.create();
    const c = testConnection({ url: b.url, clientId: 'bus-3' });
    const received: string[] = [];
    c.onMessage((topic, payload) => received.push(`${topic}=${payload.toString()}`));
    c.onConnectionChange((up) => {
      if (up) b.publish('rescard/test/late', 'at-connected');
    });
    await c.subscribe('rescard/test/ack', 1);
    b.holdSubscribes = true;
    c.start();
    await vi.waitFor(() => expect(b.heldSubscribes).toBe(1), wait); // connected at MQTT level, SUBACK held
    expect(c.connected).toBe(false);
    await c.subscribe('rescard/test/late', 1); // not connected yet: kept for this connection
    b.releaseSubscribes();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    await vi.waitFor(() => expect(received).toEqual(['rescard/test/late=at-connected']), wait);
    expect(b.events.filter((e) => e.startsWith('subscribe:'))).toEqual(['subscribe:rescard/test/ack', 'subscribe:rescard/test/late']);
  });

  it('a handler that throws is logged and the connection stays up', async () => {
    const b = await AedesTestBroker.create();
    const errors: string[] = [];
    const c = testConnection({ url: b.url, clientId: 'bus-2', log: { ...quietLog, error: (_o, msg) => errors.push(msg) } });
    const received: string[] = [];
    c.onMessage((topic) => {
      received.push(topic);
      if (received.length === 1) throw new Error('handler bug');
    });
    await c.subscribe('rescard/test/#', 1);
    c.start();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    b.publish('rescard/test/a', '1');
    b.publish('rescard/test/b', '2');
    await vi.waitFor(() => expect(received).toEqual(['rescard/test/a', 'rescard/test/b']), wait);
    expect(errors).toEqual(['message handler failed']);
    expect(c.connected).toBe(true);
  });
});
