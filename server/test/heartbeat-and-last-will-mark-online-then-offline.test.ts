/**
 * Status over real MQTT: a device connects with a last will, publishes a retained heartbeat and
 * is seen online; its socket is destroyed (no DISCONNECT), aedes publishes the will, and the
 * server shows it offline with its last heartbeat kept. Propagation counts list versions.
 */
import { encodePayload, topics } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHeartbeat } from '../src/testing/tap-fixtures.js';
import { connect, startServer, until } from './helpers/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Device {
  deviceId: string;
  online: boolean;
  kind: string | null;
  offlineSinceMs: number | null;
  heartbeat: { lists: Record<string, { version: number }>; queue: { depth: number }; terminals: string[] | null } | null;
}

describe('status', () => {
  it('heartbeat then last will: online, then offline with the last heartbeat kept', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    const will = { topic: topics.deviceStatus('gate-7'), payload: encodePayload({ v: 1, deviceId: 'gate-7', online: false }), qos: 1 as const, retain: true };
    const client = await connect(server.ports.mqtt, 'gate-7', { will, keepalive: 30 });
    await client.publishAsync(topics.deviceStatus('gate-7'), encodePayload(makeHeartbeat('gate-7', { roster: 4 })), { qos: 1, retain: true });
    const devices = async () => (await server.http.inject('/api/devices')).json<{ devices: Device[] }>().devices;
    const online = await until(devices, (d) => d[0]?.online === true);
    expect(online[0]).toMatchObject({ deviceId: 'gate-7', kind: 'terminal', heartbeat: { queue: { depth: 3 }, lists: { roster: { version: 4 } } } });

    client.stream.destroy();
    const offline = await until(devices, (d) => d[0]?.online === false);
    expect(offline[0]?.offlineSinceMs).toEqual(expect.any(Number));
    expect(offline[0]?.heartbeat?.lists['roster']?.version).toBe(4);
  });

  it('gateways report with their terminals; the propagation view counts devices at version ≥ N', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    for (const [id, v] of [['bus-1', 7], ['bus-2', 8], ['bus-3', 6]] as const) {
      const c = await connect(server.ports.mqtt, id);
      await c.publishAsync(topics.deviceStatus(id), encodePayload(makeHeartbeat(id, { stoplist: v })), { qos: 1, retain: true });
      await c.endAsync();
    }
    const gw = await connect(server.ports.mqtt, 'gw-1');
    cleanup.push(() => gw.endAsync(true));
    const hb = makeHeartbeat('gw-1', { stoplist: 8 }, { kind: 'gateway', profile: 'gateway', terminals: ['bus-1', 'bus-2'] });
    await gw.publishAsync(topics.gatewayStatus('gw-1'), encodePayload(hb), { qos: 1, retain: true });
    const prop = await until(
      async () => (await server.http.inject('/api/lists/propagation?list=stoplist&version=7')).json<{ reporting: number; atOrAbove: number }>(),
      (p) => p.reporting === 4,
    );
    expect(prop).toEqual({ list: 'stoplist', version: 7, reporting: 4, atOrAbove: 3, onlineAtOrAbove: 3 });
    const devices = (await server.http.inject('/api/devices')).json<{ devices: Device[] }>().devices;
    expect(devices.find((d) => d.deviceId === 'gw-1')).toMatchObject({ kind: 'gateway', heartbeat: { terminals: ['bus-1', 'bus-2'] } });
  });
});
