import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEVICE_ID, range, startUplinkDevice, type UplinkDevice } from './uplink-device.js';
import { freePort, TestBroker } from './uplink-hop.js';

const wait = { timeout: 30_000, interval: 10 };
let device: UplinkDevice | null = null;
let broker: TestBroker | null = null;

afterEach(async () => {
  await device?.close();
  await broker?.stop();
  device = null;
  broker = null;
});

describe('uplink over a real aedes broker, real mqtt client and real SQLite journal', () => {
  it('taps journaled while the broker is down all arrive once it is up, and the journal empties', async () => {
    broker = new TestBroker(await freePort());
    device = await startUplinkDevice(broker.url);
    const backlog = 20_000;
    device.append(backlog);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few refused connects, with backoff
    expect(device.running.uplink.stats().tapsSent).toBe(0);
    const started = performance.now();
    await broker.start();
    await vi.waitFor(() => expect(device!.journal.stats().depth).toBe(0), wait);
    const seconds = (performance.now() - started) / 1000;
    // The figure for the note (no assertion on time: see scripts for benchmarks).
    console.log(JSON.stringify({ drain: { taps: backlog, seconds: Number(seconds.toFixed(2)), tapsPerS: Math.round(backlog / seconds) } }));
    expect(broker.hop.storedSeqs(DEVICE_ID)).toEqual(range(1, backlog));
    expect(broker.hop.rejected).toBe(0);
  });

  it('sends live taps ahead of the backlog, and survives the connection dropping mid-drain', async () => {
    broker = new TestBroker(await freePort());
    await broker.start();
    device = await startUplinkDevice(broker.url, { batchSize: 100 });
    device.append(10_000);
    await vi.waitFor(() => expect(broker!.hop.received).toBeGreaterThan(1000), wait);
    const live = device.append(5, true);
    await vi.waitFor(() => expect(broker!.hop.storedSeqs(DEVICE_ID)).toContain(live[4]), wait);
    const order = broker.hop.firstArrivals;
    expect(order.indexOf(live[0]!)).toBeLessThan(order.indexOf(10_000) === -1 ? Infinity : order.indexOf(10_000));
    await vi.waitFor(() => expect(broker!.hop.received).toBeGreaterThan(4000), wait);
    broker.dropConnections();
    await vi.waitFor(() => expect(device!.journal.stats().depth).toBe(0), wait);
    expect(broker.hop.storedSeqs(DEVICE_ID)).toEqual(range(1, 10_005));
    expect(device.running.uplink.stats().tapsSent).toBeGreaterThanOrEqual(10_005);
  });

  it('takes duplicated and reordered acks, and a broker restart, without loss', async () => {
    broker = new TestBroker(await freePort());
    broker.hop.dupReorder = true;
    await broker.start();
    device = await startUplinkDevice(broker.url, { batchSize: 50, maxInFlightBatches: 8 });
    device.append(3000);
    await vi.waitFor(() => expect(broker!.hop.received).toBeGreaterThan(1000), wait);
    await broker.stop();
    device.append(7, true);
    await broker.start();
    await vi.waitFor(() => expect(device!.journal.stats().depth).toBe(0), wait);
    expect(broker.hop.storedSeqs(DEVICE_ID)).toEqual(range(1, 3007));
    expect(device.running.uplink.stats().rejectedAcks).toEqual({});
  });
});
