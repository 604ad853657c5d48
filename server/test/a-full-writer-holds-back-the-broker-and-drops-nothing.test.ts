/**
 * Back-pressure end to end: a real server whose tap writer (a worker thread over server.db) may
 * hold only 100 uncommitted taps. Devices that publish far more at once, without waiting for
 * acks, are read only as fast as the writer commits; every tap is stored and acked once.
 */
import { encodePayload, topics } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { WriterThread } from '../src/adapters/sqlite/writer-thread.js';
import { makeBatch, range } from '../src/testing/tap-fixtures.js';
import { connect, Mailbox, startServer, until } from './helpers/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('a full tap writer holds the broker back', () => {
  it('3 devices publish 40 batches of 50 taps each at once: the writer never holds much more than its bound, every batch is acked once', async () => {
    const server = await startServer(undefined, { ingest: { maxGroupTaps: 200, maxDelayMs: 0, maxQueuedTaps: 100 } });
    cleanup.push(() => server.stop());
    expect(server.writer).toBeInstanceOf(WriterThread);
    const devices = ['bus-a', 'bus-b', 'bus-c'];
    const boxes = await Promise.all(
      devices.map(async (id) => {
        const client = await connect(server.ports.mqtt, id);
        cleanup.push(() => client.endAsync(true));
        await client.subscribeAsync(topics.deviceAck(id), { qos: 1 });
        return { id, client, box: new Mailbox(client) };
      }),
    );
    await Promise.all(
      boxes.flatMap(({ id, client }) => range(0, 39).map((b) => client.publishAsync(topics.deviceTaps(id), encodePayload(makeBatch(id, range(b * 50 + 1, b * 50 + 50), `b-${b}`)), { qos: 1 }))),
    );
    for (const { box } of boxes) await until(() => box.all().length, (n) => n >= 40, 30_000);
    const queued = (server.writer as WriterThread).queued;
    // Bound plus what aedes had already read off the sockets (one read chunk per client).
    // (measured 750; with pressure() turned off, 2750 on the same machine).
    expect(queued.peakTaps).toBeLessThanOrEqual(1500);
    expect(queued.taps).toBe(0);
    for (const { box } of boxes) {
      const acks = box.all().map((m) => m.body);
      expect(new Set(acks.map((a) => a['batchId'])).size).toBe(40);
      expect(Math.max(...acks.map((a) => a['committedUpTo'] as number))).toBe(2000);
      expect(acks.every((a) => a['duplicates'] === 0)).toBe(true);
    }
    expect(server.writer.stats).toMatchObject({ taps: 6000, inserted: 6000, duplicates: 0 });
  });
});
