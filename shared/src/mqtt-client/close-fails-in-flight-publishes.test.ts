/**
 * close() and connection loss never leave a publish pending: a QoS 1 publish whose PUBACK does
 * not come fails with MQTT_UNAVAILABLE (the journal or outbox sends it again), while a close with
 * every PUBACK in is a clean DISCONNECT that fires no will. Against a REAL aedes broker (an
 * ephemeral port) that can hold the client PUBLISHes to one topic without a PUBACK.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRescardError } from '../errors.js';
import { AedesTestBroker, cleanUp, testConnection, wait } from './aedes-test-broker.js';
import type { MqttConnection } from './mqtt-connection.js';

const will = { topic: 'rescard/test/status', payload: Buffer.from('vanished') };
afterEach(cleanUp);

async function connected(b: AedesTestBroker, closeGraceMs: number): Promise<MqttConnection> {
  const c = testConnection({ url: b.url, clientId: 'bus-5', will, closeGraceMs });
  c.start();
  await vi.waitFor(() => expect(c.connected).toBe(true), wait);
  return c;
}

/** Connected (closeGraceMs 300), with one QoS 1 publish the broker holds: its outcome, acked or the error. */
async function publishNeverAcked(): Promise<{ b: AedesTestBroker; c: MqttConnection; outcome: Promise<unknown> }> {
  const b = await AedesTestBroker.create();
  const c = await connected(b, 300);
  b.holdTopic = 'rescard/test/taps';
  const outcome = c.publish('rescard/test/taps', Buffer.from('batch-1'), { qos: 1 }).then(() => 'acked', (e: unknown) => e);
  await vi.waitFor(() => expect(b.heldPublishes).toBe(1), wait);
  return { b, c, outcome };
}

describe('close and loss with publishes in flight', { timeout: 20_000 }, () => {
  it('close() waits closeGraceMs for a PUBACK that never comes, then cuts the socket: the publish fails with MQTT_UNAVAILABLE', async () => {
    const { b, c, outcome } = await publishNeverAcked();

    const t0 = performance.now();
    await c.close();
    const tookMs = performance.now() - t0;
    expect(tookMs).toBeGreaterThanOrEqual(295); // it waited the grace (a hang fails on the test's timeout)
    expect(isRescardError(await outcome, 'MQTT_UNAVAILABLE')).toBe(true);
    expect(c.connected).toBe(false);
    // No DISCONNECT went out: the broker published the will.
    await vi.waitFor(() => expect(b.delivered).toContain('rescard/test/status=vanished'), wait);
  });

  it('a publish in flight when the connection is lost fails at once; sent again after the reconnect it is acked', async () => {
    const { b, c, outcome } = await publishNeverAcked();

    b.dropConnections();
    expect(isRescardError(await outcome, 'MQTT_UNAVAILABLE')).toBe(true);
    b.holdTopic = null;
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    await c.publish('rescard/test/taps', Buffer.from('batch-1'), { qos: 1 });
  });

  it('close(last) with every PUBACK in publishes `last` retained, then a clean DISCONNECT: no will', async () => {
    const b = await AedesTestBroker.create();
    const c = await connected(b, 300);
    await c.publish('rescard/test/taps', Buffer.from('batch-1'), { qos: 1 });
    await c.close({ topic: will.topic, payload: Buffer.from('bye') });
    await vi.waitFor(() => expect(b.events).toContain('disconnect:bus-5'), wait);
    expect(b.delivered).toEqual(['rescard/test/taps=batch-1', 'rescard/test/status=bye']);
    await expect(c.publish('rescard/test/taps', Buffer.from('late'), { qos: 1 })).rejects.toMatchObject({ code: 'MQTT_UNAVAILABLE' });
  });
});
