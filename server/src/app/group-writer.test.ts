import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { FakeServerStore } from '../ports/fake-server-store.js';
import { makeBatch, makeTap, range } from '../testing/tap-fixtures.js';
import { GroupWriter, type DeviceResult, type WorkItem } from './group-writer.js';

const log = pino({ level: 'silent' });

function setup(now = 1_795_300_100_000) {
  const store = new FakeServerStore();
  const writer = new GroupWriter(store, { maxGroupTaps: 1000, maxDelayMs: 0, lateAfterMs: 60_000, now: () => now }, log);
  const acks: DeviceResult[][] = [];
  const item = (deviceId: string, seqs: number[]): WorkItem => ({
    receivedAtMs: now,
    viaGatewayId: null,
    batches: [makeBatch(deviceId, seqs)],
    onCommitted: (r) => acks.push([...r]),
  });
  return { store, writer, acks, item };
}

describe('GroupWriter', () => {
  it('same batch twice: one row per tap, the second ack counts them as duplicates', () => {
    const { store, writer, acks, item } = setup();
    writer.submit(item('d1', [1, 2, 3]));
    writer.submit(item('d1', [1, 2, 3]));
    writer.flush();
    expect(store.tapCount()).toBe(3);
    expect(store.commits).toBe(1);
    expect(acks).toEqual([[{ deviceId: 'd1', committedUpTo: 3, duplicates: 0 }], [{ deviceId: 'd1', committedUpTo: 3, duplicates: 3 }]]);
    expect(writer.stats).toMatchObject({ taps: 6, inserted: 3, duplicates: 3, conflicts: 0 });
  });

  it('acknowledges nothing when the commit fails, and everything once it succeeds again', () => {
    const { store, writer, acks, item } = setup();
    store.failCommits = true;
    writer.submit(item('d1', [1, 2]));
    writer.submit(item('d2', [1]));
    writer.flush();
    expect(acks).toEqual([]);
    expect(store.tapCount()).toBe(0);
    expect(writer.stats.commitFailures).toBe(3); // the group, then each message alone
    store.failCommits = false;
    writer.submit(item('d1', [1, 2]));
    writer.flush();
    expect(acks).toEqual([[{ deviceId: 'd1', committedUpTo: 2, duplicates: 0 }]]);
  });

  it('reordered batches: the ack carries the contiguous high-water mark; the gap closes when filled', () => {
    const { store, writer, acks, item } = setup();
    writer.submit(item('d1', range(1, 10)));
    writer.submit(item('d1', range(21, 30)));
    writer.flush();
    expect(acks.map((a) => a[0]!.committedUpTo)).toEqual([10, 10]);
    expect(store.gaps('d1', 10)).toEqual([{ fromSeq: 11, toSeq: 20, openedAtMs: 1_795_300_100_000, closedAtMs: null }]);
    writer.submit(item('d1', range(11, 20)));
    writer.flush();
    expect(acks[2]![0]!.committedUpTo).toBe(30);
    expect(store.gaps('d1', 10)[0]?.closedAtMs).toBe(1_795_300_100_000);
  });

  it('a poisoned message fails alone; the rest of its group is committed and acknowledged', () => {
    const { store, writer, acks, item } = setup();
    const bad: WorkItem = { ...item('d9', [1]), batches: [{ deviceId: 'd9', batchId: 'x', taps: [makeTap(1, { panMasked: '2200000000000004' })] }] };
    const realInsert = store.insertTap.bind(store);
    vi.spyOn(store, 'insertTap').mockImplementation((row) => {
      if (row.deviceId === 'd9') throw new Error('poison');
      return realInsert(row);
    });
    writer.submit(item('d1', [1]));
    writer.submit(bad);
    writer.submit(item('d2', [1]));
    writer.flush();
    expect(acks.map((a) => a[0]!.deviceId)).toEqual(['d1', 'd2']);
    expect(store.tapCount()).toBe(2);
  });

  it('marks late taps and counts a seq reused with another tapId as a conflict', () => {
    const { store, writer, item } = setup(1_795_300_000_000 + 10 * 60_000);
    writer.submit(item('d1', [1, 590, 600]));
    writer.flush();
    expect(store.taps({ deviceId: 'd1', limit: 10 }).map((t) => [t.seq, t.late])).toEqual([[1, true], [590, false], [600, false]]);
    writer.submit({ ...item('d1', []), batches: [{ deviceId: 'd1', batchId: 'y', taps: [makeTap(1, { tapId: 'other' })] }] });
    writer.flush();
    expect(writer.stats.conflicts).toBe(1);
    expect(store.taps({ deviceId: 'd1', limit: 1 })[0]?.tapId).toBe('t-1');
  });

  it('flushes by itself at the next turn of the event loop, and at once when the group is full', async () => {
    const { writer, acks, item } = setup();
    writer.submit(item('d1', [1]));
    expect(acks).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(acks).toHaveLength(1);
    writer.submit(item('d1', range(2, 1001)));
    expect(acks).toHaveLength(2);
  });
});
