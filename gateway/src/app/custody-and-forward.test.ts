import { encodePayload, topics, type GatewayBatch } from '@rescard/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeOutbox } from '../ports/fake-outbox.js';
import { makeBatch, range } from '../testing/tap-fixtures.js';
import { Custody } from './custody.js';
import { Forwarder } from './forwarder.js';
import { Rejects } from './rejects.js';

const log = pino({ level: 'silent' });

/** An upstream whose publishes "succeed" (PUBACK) but whose acks come only when the test says. */
class FakeUpstream {
  connected = true;
  readonly sent: GatewayBatch[] = [];
  publish(_topic: string, payload: Buffer): Promise<void> {
    this.sent.push(JSON.parse(payload.toString()) as GatewayBatch);
    return Promise.resolve();
  }
}

function rig(capacity = 10_000) {
  const outbox = new FakeOutbox(capacity);
  const upstream = new FakeUpstream();
  const acks: { topic: string; body: Record<string, unknown> }[] = [];
  const rejects = new Rejects(log);
  let forwarder: Forwarder | null = null;
  const custody = new Custody({
    outbox, rejects, now: () => Date.now(), log, onStored: () => forwarder?.pump(),
    publishLocal: (topic, payload) => {
      acks.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
      return Promise.resolve();
    },
  });
  forwarder = new Forwarder({
    gatewayId: 'gw-1', outbox, upstream, rejects, now: () => Date.now(), log, onAdvanced: (m) => custody.tellTerminals(m),
    options: { maxTaps: 100, maxBytes: 900_000, maxInFlight: 2, ackTimeoutMs: 1000, tickMs: 50 },
  });
  forwarder.start();
  const tapsIn = (deviceId: string, seqs: number[]) => custody.onMessage(topics.deviceTaps(deviceId), encodePayload(makeBatch(deviceId, seqs)), deviceId);
  const serverAck = (b: GatewayBatch, marks: Record<string, number>) =>
    forwarder.onAck(topics.gatewayAck('gw-1'), encodePayload({ v: 1, gatewayId: 'gw-1', batchId: b.batchId, committed: Object.entries(marks).map(([deviceId, committedUpTo]) => ({ deviceId, committedUpTo })) }));
  return { outbox, upstream, acks, rejects, custody, forwarder, tapsIn, serverAck };
}

describe('custody and forwarding', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acks the terminal only after the commit, with the high-water mark, and forwards', () => {
    const r = rig();
    r.tapsIn('bus-1', range(1, 3));
    expect(r.outbox.stats().depth).toBe(3);
    expect(r.acks).toEqual([{ topic: topics.deviceAck('bus-1'), body: { v: 1, deviceId: 'bus-1', batchId: 'b-1', committedUpTo: 3, duplicates: 0 } }]);
    expect(r.upstream.sent).toHaveLength(1);
    expect(r.upstream.sent[0]!.batches[0]!.taps.map((t) => t.seq)).toEqual([1, 2, 3]);
  });

  it('frees nothing on PUBACK; only the server ack deletes', async () => {
    const r = rig();
    r.tapsIn('bus-1', range(1, 3));
    await vi.advanceTimersByTimeAsync(200);
    expect(r.outbox.stats().depth).toBe(3);
    r.serverAck(r.upstream.sent[0]!, { 'bus-1': 3 });
    expect(r.outbox.stats().depth).toBe(0);
  });

  it('resends what the server never acked: after the ack timeout and after a reconnect', async () => {
    const r = rig();
    r.tapsIn('bus-1', range(1, 2));
    await vi.advanceTimersByTimeAsync(1100);
    expect(r.upstream.sent.map((b) => b.batches[0]!.taps.length)).toEqual([2, 2]);
    r.forwarder.connectionChanged(false);
    r.forwarder.connectionChanged(true);
    expect(r.upstream.sent).toHaveLength(3);
    r.serverAck(r.upstream.sent[0]!, { 'bus-1': 2 }); // a late ack of the first send still counts
    expect(r.outbox.stats().depth).toBe(0);
  });

  it('keeps the in-flight window bounded', () => {
    const r = rig();
    for (let i = 0; i < 5; i++) r.tapsIn('bus-1', range(i * 100 + 1, i * 100 + 100));
    expect(r.upstream.sent).toHaveLength(2);
    r.serverAck(r.upstream.sent[0]!, { 'bus-1': 100 });
    expect(r.upstream.sent).toHaveLength(3);
  });

  it('tells a terminal at once when the server proves its earlier taps durable', () => {
    const r = rig();
    r.tapsIn('bus-9', [41, 42]);
    expect(r.acks.at(-1)?.body).toMatchObject({ committedUpTo: 0 });
    r.serverAck(r.upstream.sent[0]!, { 'bus-9': 42 });
    expect(r.acks.at(-1)?.body).toMatchObject({ deviceId: 'bus-9', batchId: 'b-41', committedUpTo: 42 });
  });

  it('refuses (does not ack) a batch when the outbox is full, and acks again once it drains', () => {
    const r = rig(500);
    r.tapsIn('bus-1', range(1, 500));
    r.tapsIn('bus-1', [501]);
    expect(r.acks).toHaveLength(1);
    expect(r.custody.stats.refusedFull).toBe(1);
    r.serverAck(r.upstream.sent[0]!, { 'bus-1': 100 });
    r.tapsIn('bus-1', [501]);
    expect(r.acks.at(-1)?.body).toMatchObject({ committedUpTo: 501 });
  });

  it('rejects malformed messages, counted, without throwing', () => {
    const r = rig();
    r.custody.onMessage(topics.deviceTaps('bus-1'), Buffer.from('{'), 'bus-1');
    r.custody.onMessage(topics.deviceTaps('bus-2'), encodePayload(makeBatch('bus-1', [1])), 'bus-2');
    r.forwarder.onAck(topics.gatewayAck('gw-1'), encodePayload({ v: 1, gatewayId: 'gw-2', batchId: 'x', committed: [] }));
    expect(r.rejects.snapshot()).toEqual({ 'taps:json': 1, 'taps:id-mismatch': 1, 'gateway-ack:id-mismatch': 1 });
    expect(r.acks).toHaveLength(0);
  });
});
