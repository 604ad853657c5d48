import { decodePayload, encodePayload, tapBatchSchema, topics, type TapBatch } from '@rescard/shared';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { tap } from '../adapters/sqlite/contract-fixtures.js';
import { FakeClock } from '../ports/clock.js';
import { FakeMessageBus } from '../ports/fake-message-bus.js';
import { FakeTapJournal } from '../ports/fake-tap-journal.js';
import { FakeScheduler } from './scheduler.js';
import { Uplink } from './uplink.js';

const DEVICE = 'bus-17';

function rig(options: { batchSize?: number; maxInFlightBatches?: number; ackTimeoutMs?: number; connected?: boolean } = {}) {
  const journal = new FakeTapJournal();
  const bus = new FakeMessageBus({ connected: options.connected ?? true });
  const scheduler = new FakeScheduler();
  const uplink = new Uplink({
    deviceId: DEVICE,
    journal,
    bus,
    scheduler,
    clock: new FakeClock(1_800_000_000_000),
    log: pino({ level: 'silent' }),
    options: { batchSize: options.batchSize ?? 4, maxInFlightBatches: options.maxInFlightBatches ?? 2, ackTimeoutMs: options.ackTimeoutMs ?? 5000 },
  });
  const append = (n: number): number[] => Array.from({ length: n }, (_, i) => journal.append(tap(i), null).seq);
  /** Batches published since the last call, decoded (as the hop would). */
  const sent = (): TapBatch[] =>
    bus.take(topics.deviceTaps(DEVICE)).map((m) => {
      const d = decodePayload(tapBatchSchema, m.payload);
      if (!d.ok) throw new Error(`bad batch: ${d.detail}`);
      expect(m.options.qos).toBe(1);
      return d.value;
    });
  const ack = (batchId: string, committedUpTo: number): void =>
    bus.deliver(topics.deviceAck(DEVICE), encodePayload({ v: 1, deviceId: DEVICE, batchId, committedUpTo, duplicates: 0 }));
  const seqs = (b: TapBatch): number[] => b.taps.map((t) => t.seq);
  return { journal, bus, scheduler, uplink, append, sent, ack, seqs };
}

describe('Uplink on a FakeMessageBus and virtual time', () => {
  it('removes nothing on PUBACK alone; an ack up to N removes exactly the taps up to N', async () => {
    const r = rig();
    r.append(10);
    await r.uplink.start();
    const batches = r.sent();
    expect(batches.map(r.seqs)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    await Promise.resolve(); // every publish resolved: the broker "PUBACKed" them
    r.scheduler.advance(1000);
    expect(r.journal.stats().depth).toBe(10);
    r.ack(batches[0]!.batchId, 3);
    expect(r.journal.stats().depth).toBe(7);
    expect(r.journal.pending(1)[0]?.seq).toBe(4);
  });

  it('keeps at most maxInFlightBatches unacked batches out', async () => {
    const r = rig({ batchSize: 5, maxInFlightBatches: 3 });
    r.append(100);
    await r.uplink.start();
    let batches = r.sent();
    expect(batches).toHaveLength(3);
    r.scheduler.advance(4000);
    expect(r.sent()).toHaveLength(0);
    r.ack(batches[0]!.batchId, 5);
    batches = r.sent();
    expect(batches.map(r.seqs)).toEqual([[16, 17, 18, 19, 20]]);
    expect(r.uplink.stats().inFlightBatches).toBe(3);
  });

  it('resends what is unacked after a reconnect, and after an ack timeout', async () => {
    const r = rig({ batchSize: 3, maxInFlightBatches: 2, ackTimeoutMs: 5000 });
    r.append(6);
    await r.uplink.start();
    const first = r.sent();
    r.ack(first[0]!.batchId, 3);
    r.bus.setConnected(false);
    r.bus.setConnected(true);
    expect(r.sent().map(r.seqs)).toEqual([[4, 5, 6]]);
    r.scheduler.advance(5000);
    expect(r.sent().map(r.seqs)).toEqual([[4, 5, 6]]);
    expect(r.uplink.counters.ackTimeouts).toBe(1);
  });

  it('sends nothing while disconnected and everything once connected', async () => {
    const r = rig({ connected: false });
    await r.uplink.start();
    r.append(3).forEach((s) => r.uplink.tapJournaled(s));
    r.scheduler.advance(10_000);
    expect(r.sent()).toHaveLength(0);
    r.bus.setConnected(true);
    expect(r.sent().map(r.seqs)).toEqual([[1, 2, 3]]);
  });

  it('puts a live tap first during a drain and does not resend it once its batch is acked', async () => {
    const r = rig({ batchSize: 5, maxInFlightBatches: 2 });
    r.append(20);
    await r.uplink.start();
    const [b1, b2] = r.sent();
    const live = r.append(1)[0]!;
    r.uplink.tapJournaled(live);
    expect(r.sent()).toHaveLength(0); // window full: it waits for the next free slot
    r.ack(b1!.batchId, 5);
    const [b3] = r.sent();
    expect(r.seqs(b3!)).toEqual([21, 11, 12, 13, 14]);
    r.ack(b3!.batchId, 5); // the hop committed b3 but still misses 6-10: committedUpTo stays 5
    r.ack(b2!.batchId, 14);
    const rest = r.sent();
    expect(rest.map(r.seqs)).toEqual([[15, 16, 17, 18, 19], [20]]);
    r.ack(rest[0]!.batchId, 19);
    r.ack(rest[1]!.batchId, 21);
    expect(r.journal.stats().depth).toBe(0);
    expect(r.sent()).toHaveLength(0);
    expect(r.uplink.stats().tapsSent).toBe(21);
  });

  it('counts and logs a malformed or foreign ack, and carries on', async () => {
    const r = rig();
    r.append(4);
    await r.uplink.start();
    const [b] = r.sent();
    const topic = topics.deviceAck(DEVICE);
    r.bus.deliver(topic, 'not json');
    r.bus.deliver(topic, JSON.stringify({ v: 2, deviceId: DEVICE, batchId: b!.batchId, committedUpTo: 4, duplicates: 0 }));
    r.bus.deliver(topic, JSON.stringify({ v: 1, deviceId: DEVICE, batchId: b!.batchId, committedUpTo: -1, duplicates: 0 }));
    r.bus.deliver(topic, JSON.stringify({ v: 1, deviceId: 'bus-99', batchId: b!.batchId, committedUpTo: 4, duplicates: 0 }));
    expect(r.uplink.stats().rejectedAcks).toEqual({ 'tapAck:json': 1, 'tapAck:version': 1, 'tapAck:schema': 2 });
    expect(r.journal.stats().depth).toBe(4);
    r.ack(b!.batchId, 4);
    expect(r.journal.stats().depth).toBe(0);
  });

  it('takes duplicated and reordered acks in stride, and never deletes beyond what it sent', async () => {
    const r = rig({ batchSize: 4, maxInFlightBatches: 2 });
    r.append(12);
    await r.uplink.start();
    const [b1, b2] = r.sent();
    r.ack(b2!.batchId, 8);
    r.ack(b1!.batchId, 4); // late and lower: changes nothing
    r.ack(b2!.batchId, 8); // duplicate
    expect(r.journal.pending(1)[0]?.seq).toBe(9);
    expect(r.uplink.stats().committedUpTo).toBe(8);
    expect(r.sent().map(r.seqs)).toEqual([[9, 10, 11, 12]]);
    r.ack('unknown', 500); // a confused hop: clamped to the highest seq sent (12)
    expect(r.uplink.counters.acksBeyondSent).toBe(1);
    expect(r.journal.stats().depth).toBe(0);
    r.append(2);
    r.scheduler.advance(1000);
    expect(r.sent().flatMap(r.seqs)).toEqual([13, 14]);
  });

  it('property: under random acks, losses, reconnects and timeouts every tap arrives and the journal empties', async () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('tap' as const), n: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ k: fc.constant('hop' as const), lose: fc.boolean(), reverse: fc.boolean() }),
      fc.record({ k: fc.constant('flap' as const) }),
      fc.record({ k: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 8000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const r = rig({ batchSize: 7, maxInFlightBatches: 3, ackTimeoutMs: 5000 });
        await r.uplink.start();
        const hop = new Set<number>();
        const serve = (lose: boolean, reverse: boolean): void => {
          const batches = r.sent();
          if (reverse) batches.reverse();
          for (const b of batches) {
            b.taps.forEach((t) => hop.add(t.seq));
            let high = 0;
            while (hop.has(high + 1)) high += 1;
            if (!lose) r.ack(b.batchId, high);
          }
        };
        let appended = 0;
        for (const o of ops) {
          if (o.k === 'tap') r.append(o.n).forEach((s) => r.uplink.tapJournaled(s));
          if (o.k === 'tap') appended += o.n;
          if (o.k === 'hop') serve(o.lose, o.reverse);
          if (o.k === 'flap') r.bus.setConnected(false);
          if (o.k === 'flap') r.bus.setConnected(true);
          if (o.k === 'time') r.scheduler.advance(o.ms);
        }
        for (let i = 0; i < 200 && r.journal.stats().depth > 0; i += 1) {
          serve(false, false);
          r.scheduler.advance(5000);
        }
        expect(r.journal.stats().depth).toBe(0);
        expect(hop.size).toBe(appended);
      }),
      { numRuns: 200 },
    );
  });
});
