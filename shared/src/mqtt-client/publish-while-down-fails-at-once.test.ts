/**
 * A publish while disconnected fails at once with MQTT_UNAVAILABLE and is never sent later: the
 * client keeps no hidden offline queue (the terminal's journal, the gateway's outbox is the
 * queue). Against a REAL aedes broker on an ephemeral port.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRescardError } from '../errors.js';
import { AedesTestBroker, cleanUp, quietLog, testConnection, wait } from './aedes-test-broker.js';
import { MqttConnection } from './mqtt-connection.js';
import { MqttError } from './mqtt-error.js';

afterEach(cleanUp);

const PENDING = Symbol('pending');

/**
 * The publish's error, and whether it came at once: settled before the event loop turns (no
 * timer, no socket event in between). That is "at once" without a timing limit.
 */
async function attempt(c: MqttConnection, topic: string, qos: 0 | 1): Promise<{ err: unknown; atOnce: boolean }> {
  const outcome = c.publish(topic, Buffer.from('x'), { qos }).then(() => null, (e: unknown) => e);
  const first = await Promise.race([outcome, new Promise<typeof PENDING>((r) => setImmediate(() => r(PENDING)))]);
  return { err: await outcome, atOnce: first !== PENDING };
}

describe('publish while the broker is down', { timeout: 20_000 }, () => {
  it('fails at once with MQTT_UNAVAILABLE (QoS 0 and 1), and nothing of it reaches the broker once it is back', async () => {
    const b = await AedesTestBroker.create();
    const c = testConnection({ url: b.url, clientId: 'gw-1' });
    c.start();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    await c.publish('rescard/test/before', Buffer.from('1'), { qos: 1 });

    await b.stop();
    await vi.waitFor(() => expect(c.connected).toBe(false), wait);
    for (const qos of [0, 1] as const) {
      const { err, atOnce } = await attempt(c, `rescard/test/while-down-${qos}`, qos);
      expect(err).toBeInstanceOf(MqttError);
      expect(isRescardError(err, 'MQTT_UNAVAILABLE')).toBe(true);
      expect(atOnce).toBe(true);
    }

    b.events.length = 0;
    await b.start();
    await vi.waitFor(() => expect(c.connected).toBe(true), wait);
    // Its PUBACK means the broker has it; anything queued would have been sent before it.
    await c.publish('rescard/test/after', Buffer.from('2'), { qos: 1 });
    expect(b.events.filter((e) => e.startsWith('publish:'))).toEqual(['publish:rescard/test/after']);
  });

  it('fails at once before the first connection, and an mqtts:// url without certificate files is refused at construction', async () => {
    const gone = await AedesTestBroker.create();
    await gone.stop(); // nothing listens on its port now
    const c = testConnection({ url: gone.url, clientId: 'bus-3' });
    c.start();
    const { err, atOnce } = await attempt(c, 'rescard/test/x', 1);
    expect(isRescardError(err, 'MQTT_UNAVAILABLE')).toBe(true);
    expect(atOnce).toBe(true);
    expect(() => new MqttConnection({ url: 'mqtts://127.0.0.1:8883', clientId: 'bus-3', reconnectMinMs: 20, reconnectMaxMs: 100, log: quietLog })).toThrow(/mqtts:\/\/ needs the device certificate files/);
  });
});
