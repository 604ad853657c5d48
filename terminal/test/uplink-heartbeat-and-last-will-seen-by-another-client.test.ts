import { connect, type MqttClient } from 'mqtt';
import { decodePayload, heartbeatSchema, topics, type Heartbeat } from '@rescard/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEVICE_ID, startUplinkDevice, type UplinkDevice } from './uplink-device.js';
import { freePort, TestBroker } from './uplink-hop.js';

const wait = { timeout: 20_000, interval: 10 };
let device: UplinkDevice | null = null;
let broker: TestBroker | null = null;
const watchers: MqttClient[] = [];

afterEach(async () => {
  await device?.close();
  await Promise.all(watchers.splice(0).map((w) => w.endAsync(true)));
  await broker?.stop();
  device = null;
  broker = null;
});

/** Another MQTT client watching the device's status topic (retained messages included). */
async function watch(url: string): Promise<{ seen: Heartbeat[]; invalid: number }> {
  const w = connect(url, { clientId: `watcher-${watchers.length}`, reconnectPeriod: 0 });
  watchers.push(w);
  const out = { seen: [] as Heartbeat[], invalid: 0 };
  w.on('message', (_topic, payload) => {
    const d = decodePayload(heartbeatSchema, payload);
    if (d.ok) out.seen.push(d.value);
    else out.invalid += 1;
  });
  await new Promise<void>((resolve) => w.once('connect', () => resolve()));
  await w.subscribeAsync(topics.deviceStatus(DEVICE_ID), { qos: 1 });
  return out;
}

describe('heartbeat and last will over a real aedes broker', () => {
  it('publishes a retained heartbeat; the broker publishes the retained will when the device vanishes', async () => {
    broker = new TestBroker(await freePort());
    await broker.start();
    const early = await watch(broker.url);
    device = await startUplinkDevice(broker.url, { heartbeatMs: 200, reconnectMinMs: 3000, reconnectMaxMs: 3000 });
    device.append(3);
    await vi.waitFor(() => expect(early.seen.filter((h) => h.online).length).toBeGreaterThanOrEqual(2), wait);
    const hb = early.seen.find((h) => h.online);
    expect(hb).toMatchObject({ deviceId: DEVICE_ID, kind: 'terminal', profile: 'bus', appVersion: 'test', tapLatencyMs: { p50: 15, p99: 40 } });
    expect(early.invalid).toBe(0);

    const late = await watch(broker.url); // gets the retained heartbeat at once
    await vi.waitFor(() => expect(late.seen[0]?.online).toBe(true), wait);

    broker.dropConnections(); // the device vanishes without DISCONNECT (watchers reconnect below)
    const after = await watch(broker.url);
    await vi.waitFor(() => expect(after.seen.at(-1)).toEqual({ v: 1, deviceId: DEVICE_ID, online: false }), wait);
    // Once back (after its 3 s backoff), the device replaces the will with a heartbeat.
    await vi.waitFor(() => expect(after.seen.at(-1)?.online).toBe(true), wait);
  });

  it('says goodbye on a clean stop: the retained status is offline', async () => {
    broker = new TestBroker(await freePort());
    await broker.start();
    device = await startUplinkDevice(broker.url, { heartbeatMs: 60_000 });
    await vi.waitFor(() => expect(device!.running.heartbeat.sent).toBe(1), wait);
    await device.close();
    device = null;
    const w = await watch(broker.url);
    await vi.waitFor(() => expect(w.seen).toEqual([{ v: 1, deviceId: DEVICE_ID, online: false }]), wait);
  });
});
