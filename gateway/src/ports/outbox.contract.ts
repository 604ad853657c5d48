/** The Outbox contract: one suite, run against FakeOutbox and SqliteOutbox (and a reopened file). */
import { describe, expect, it } from 'vitest';
import { incoming, range } from '../testing/tap-fixtures.js';
import type { Outbox } from './outbox.js';

export function outboxContract(name: string, make: (capacity: number) => Outbox): void {
  describe(`Outbox contract: ${name}`, () => {
    it('commits taps and reports the contiguous high-water mark per device', () => {
      const o = make(100);
      expect(o.accept('bus-1', incoming([1, 2, 3]), 10)).toEqual({ kind: 'committed', committedUpTo: 3, inserted: 3, duplicates: 0 });
      expect(o.accept('bus-1', incoming([5, 6]), 11)).toMatchObject({ committedUpTo: 3, inserted: 2 });
      expect(o.accept('bus-2', incoming([1], 'bus-2'), 11)).toMatchObject({ committedUpTo: 1 });
      expect(o.accept('bus-1', incoming([4]), 12)).toMatchObject({ committedUpTo: 6, inserted: 1 });
      expect(o.stats()).toEqual({ depth: 7, capacity: 100, undelivered: 7, oldestReceivedAtMs: 10 });
    });

    it('is idempotent on (device, seq): a resend stores nothing twice', () => {
      const o = make(100);
      o.accept('bus-1', incoming([1, 2]), 1);
      expect(o.accept('bus-1', incoming([1, 2, 2, 3]), 2)).toMatchObject({ committedUpTo: 3, inserted: 1, duplicates: 3 });
      expect(o.pending(0, 10).map((r) => r.seq)).toEqual([1, 2, 3]);
    });

    it('lists undelivered rows in arrival order, after a rowid', () => {
      const o = make(100);
      o.accept('bus-1', incoming([1, 2]), 1);
      o.accept('bus-2', incoming([7], 'bus-2'), 2);
      const all = o.pending(0, 10);
      expect(all.map((r) => [r.deviceId, r.seq])).toEqual([['bus-1', 1], ['bus-1', 2], ['bus-2', 7]]);
      expect(JSON.parse(all[0]!.body)).toMatchObject({ seq: 1, tapId: 'bus-1-t-1' });
      expect(o.pending(all[0]!.rowid, 1).map((r) => r.seq)).toEqual([2]);
    });

    it('deletes only on the upstream ack: up to its committedUpTo, delivered rows are not listed again', () => {
      const o = make(100);
      o.accept('bus-1', incoming(range(1, 5)), 1);
      const rows = o.pending(0, 10);
      const r = o.applyUpstreamAck([{ deviceId: 'bus-1', committedUpTo: 2 }], rows.slice(0, 4).map((x) => x.rowid));
      expect(r).toEqual({ advanced: [], deleted: 2 });
      expect(o.pending(0, 10).map((x) => x.seq)).toEqual([5]);
      expect(o.stats()).toMatchObject({ depth: 3, undelivered: 1 });
      o.applyUpstreamAck([{ deviceId: 'bus-1', committedUpTo: 5 }], []);
      expect(o.stats().depth).toBe(0);
      expect(o.accept('bus-1', incoming([3, 4, 5]), 2)).toMatchObject({ committedUpTo: 5, inserted: 0, duplicates: 3 });
    });

    it('raises the mark to the server\'s when the server holds the start (a terminal that came from elsewhere)', () => {
      const o = make(100);
      expect(o.accept('bus-9', incoming([101, 102], 'bus-9'), 1)).toMatchObject({ committedUpTo: 0 });
      expect(o.applyUpstreamAck([{ deviceId: 'bus-9', committedUpTo: 102 }], [])).toEqual({ advanced: [{ deviceId: 'bus-9', committedUpTo: 102 }], deleted: 2 });
      expect(o.accept('bus-9', incoming([103], 'bus-9'), 2)).toMatchObject({ committedUpTo: 103 });
      o.accept('bus-9', incoming([105], 'bus-9'), 2);
      expect(o.applyUpstreamAck([{ deviceId: 'bus-9', committedUpTo: 104 }], [])).toEqual({ advanced: [{ deviceId: 'bus-9', committedUpTo: 105 }], deleted: 1 });
    });

    it('is bounded: a batch that would overflow is refused whole, duplicates are still acked', () => {
      const o = make(4);
      o.accept('bus-1', incoming([1, 2, 3]), 1);
      expect(o.accept('bus-1', incoming([4, 5]), 2)).toEqual({ kind: 'full', depth: 3, capacity: 4 });
      expect(o.pending(0, 10).map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(o.accept('bus-1', incoming([2, 3]), 2)).toMatchObject({ kind: 'committed', committedUpTo: 3, inserted: 0 });
      expect(o.accept('bus-1', incoming([4]), 2)).toMatchObject({ committedUpTo: 4 });
      o.applyUpstreamAck([{ deviceId: 'bus-1', committedUpTo: 4 }], []);
      expect(o.accept('bus-1', incoming([5, 6, 7]), 3)).toMatchObject({ kind: 'committed', committedUpTo: 7 });
    });
  });
}
