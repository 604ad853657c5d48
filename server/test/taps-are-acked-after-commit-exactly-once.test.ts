/**
 * Ingest over real MQTT: real aedes, real mqtt clients, a real server.db. Each ack arrives only
 * after the commit, carries the contiguous high-water mark, and counts duplicates.
 */
import { encodePayload, topics } from '@rescard/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createServer } from '../src/app/server.js';
import { FakeServerStore } from '../src/ports/fake-server-store.js';
import { makeBatch, makeGatewayBatch, range } from '../src/testing/tap-fixtures.js';
import { Mailbox, connect, startServer, until } from './helpers/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function device(port: number, id: string): Promise<{ client: MqttClient; box: Mailbox }> {
  const client = await connect(port, id);
  cleanup.push(() => client.endAsync(true));
  const box = new Mailbox(client);
  await client.subscribeAsync(topics.deviceAck(id), { qos: 1 });
  return { client, box };
}

describe('taps over MQTT', () => {
  it('the same batch twice: one row per tap, the second ack counts duplicates', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    const { client, box } = await device(server.ports.mqtt, 'bus-1');
    const batch = encodePayload(makeBatch('bus-1', [1, 2, 3], 'b-1'));
    await client.publishAsync(topics.deviceTaps('bus-1'), batch, { qos: 1 });
    expect(await box.next((m) => m.body['batchId'] === 'b-1')).toEqual({ v: 1, deviceId: 'bus-1', batchId: 'b-1', committedUpTo: 3, duplicates: 0 });
    await client.publishAsync(topics.deviceTaps('bus-1'), batch, { qos: 1 });
    expect(await box.next((m) => m.body['batchId'] === 'b-1')).toMatchObject({ committedUpTo: 3, duplicates: 3 });
    const taps = (await server.http.inject('/api/taps?deviceId=bus-1')).json<{ taps: { seq: number }[] }>().taps;
    expect(taps.map((t) => t.seq)).toEqual([1, 2, 3]);
  });

  it('reordered batches: high-water stops at the gap, the gap is visible, then closes', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    const { client, box } = await device(server.ports.mqtt, 'bus-2');
    const send = (seqs: number[], id: string) => client.publishAsync(topics.deviceTaps('bus-2'), encodePayload(makeBatch('bus-2', seqs, id)), { qos: 1 });
    await send(range(21, 30), 'late');
    expect(await box.next((m) => m.body['batchId'] === 'late')).toMatchObject({ committedUpTo: 0 });
    await send(range(1, 10), 'first');
    expect(await box.next((m) => m.body['batchId'] === 'first')).toMatchObject({ committedUpTo: 10 });
    const gaps = (await server.http.inject('/api/devices/bus-2/gaps')).json<{ gaps: { fromSeq: number; toSeq: number; closedAtMs: number | null }[] }>();
    expect(gaps.gaps.filter((g) => g.closedAtMs === null).map((g) => [g.fromSeq, g.toSeq])).toEqual([[11, 20]]);
    await send(range(11, 20), 'fill');
    expect(await box.next((m) => m.body['batchId'] === 'fill')).toMatchObject({ committedUpTo: 30 });
    const after = (await server.http.inject('/api/devices/bus-2/gaps')).json<{ committedUpTo: number; gaps: { closedAtMs: number | null }[] }>();
    expect(after.committedUpTo).toBe(30);
    expect(after.gaps.every((g) => g.closedAtMs !== null)).toBe(true);
  });

  it('a gateway batch of several devices gets one ack with each device high-water mark', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    const gw = await connect(server.ports.mqtt, 'gw-1');
    cleanup.push(() => gw.endAsync(true));
    const box = new Mailbox(gw);
    await gw.subscribeAsync(topics.gatewayAck('gw-1'), { qos: 1 });
    const gb = makeGatewayBatch('gw-1', [{ deviceId: 'gate-1', seqs: [1, 2] }, { deviceId: 'gate-2', seqs: [1, 2, 4] }], 'g-1');
    await gw.publishAsync(topics.gatewayTaps('gw-1'), encodePayload(gb), { qos: 1 });
    expect(await box.next(() => true)).toEqual({
      v: 1,
      gatewayId: 'gw-1',
      batchId: 'g-1',
      committed: [{ deviceId: 'gate-1', committedUpTo: 2 }, { deviceId: 'gate-2', committedUpTo: 2 }],
    });
  });

  it('no ack while commits fail (PUBACK is not an ack); the resend after recovery is acked', async () => {
    const store = new FakeServerStore();
    store.failCommits = true;
    const server = await createServer({ ingest: store, query: store, log: pino({ level: 'silent' }), host: '127.0.0.1', httpPort: 0, mqttPort: 0, lateAfterMs: 60_000, ingestOptions: { maxGroupTaps: 1000, maxDelayMs: 0 } });
    cleanup.push(() => server.stop());
    const { client, box } = await device(server.ports.mqtt, 'bus-3');
    const batch = encodePayload(makeBatch('bus-3', [1, 2], 'b-x'));
    await client.publishAsync(topics.deviceTaps('bus-3'), batch, { qos: 1 }); // PUBACK received here
    await until(() => server.writer.stats.commitFailures, (n) => n >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(box.all()).toEqual([]);
    store.failCommits = false;
    await client.publishAsync(topics.deviceTaps('bus-3'), batch, { qos: 1 });
    expect(await box.next(() => true)).toMatchObject({ batchId: 'b-x', committedUpTo: 2, duplicates: 0 });
  });

  it('malformed payloads and a publish under another device id are rejected and counted; the server carries on', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    const { client, box } = await device(server.ports.mqtt, 'bus-4');
    const t = topics.deviceTaps('bus-4');
    await client.publishAsync(t, Buffer.from('{oops'), { qos: 1 });
    await client.publishAsync(t, Buffer.from(JSON.stringify({ ...makeBatch('bus-4', [1]), v: 9 })), { qos: 1 });
    await client.publishAsync(t, Buffer.from(JSON.stringify({ ...makeBatch('bus-4', [1]), taps: [] })), { qos: 1 });
    await client.publishAsync(t, Buffer.alloc(1024 * 1024 + 10, 0x20), { qos: 1 });
    await client.publishAsync(t, encodePayload(makeBatch('bus-5', [1])), { qos: 1 });
    const intruder = await connect(server.ports.mqtt, 'bus-6');
    const closed = new Promise<void>((r) => intruder.once('close', () => r()));
    intruder.publish(topics.deviceTaps('bus-4'), encodePayload(makeBatch('bus-4', [1])), { qos: 1 });
    await closed;
    intruder.end(true);
    const health = await until(
      async () => (await server.http.inject('/health')).json<{ rejects: Record<string, number> }>(),
      (h) => Object.values(h.rejects).reduce((a, b) => a + b, 0) >= 6,
    );
    expect(health.rejects).toEqual({
      'taps:json': 1,
      'taps:version': 1,
      'taps:schema': 1,
      'taps:too-large': 1,
      'taps:id-mismatch': 1,
      'acl-publish:client-mismatch': 1,
    });
    expect(server.query.tapCount()).toBe(0);
    await client.publishAsync(t, encodePayload(makeBatch('bus-4', [1], 'good')), { qos: 1 });
    expect(await box.next((m) => m.body['batchId'] === 'good')).toMatchObject({ committedUpTo: 1 });
  });
});
