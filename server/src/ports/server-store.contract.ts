/**
 * The contract of IngestStore + QueryStore, run against FakeServerStore and the SQLite adapter.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_SEQ_STATE, applySeqs } from '../core/seq-state.js';
import { makeHeartbeat, makeTap } from '../testing/tap-fixtures.js';
import type { IngestStore, QueryStore } from './ingest-store.js';

export function serverStoreContract(name: string, open: () => IngestStore & QueryStore): void {
  describe(`${name}: server store contract`, () => {
    const row = (deviceId: string, seq: number) => ({ deviceId, tap: makeTap(seq), receivedAtMs: 5, late: seq === 2, batchId: 'b', viaGatewayId: null });

    it('inserts once per (device, seq) and gives back every TapWire field', () => {
      const s = open();
      const tap = makeTap(1, { meal: { window: 'lunch', free: true, priceKopecks: 0, remainingKopecks: 500 }, direction: 'IN', position: { lat: 55.7, stop: null } });
      expect(s.transaction(() => s.insertTap({ ...row('d1', 1), tap }))).toBe(true);
      expect(s.transaction(() => s.insertTap({ ...row('d1', 1), tap }))).toBe(false);
      expect(s.transaction(() => s.insertTap(row('d2', 1)))).toBe(true);
      expect(s.tapCount()).toBe(2);
      expect(s.storedTapId('d1', 1)).toBe('t-1');
      expect(s.storedTapId('d1', 9)).toBeNull();
      const [got] = s.taps({ deviceId: 'd1', limit: 10 });
      expect(got).toEqual({ ...tap, deviceId: 'd1', receivedAtMs: 5, late: false, batchId: 'b', viaGatewayId: null });
    });

    it('rolls back everything of a transaction that throws', () => {
      const s = open();
      expect(() =>
        s.transaction(() => {
          s.insertTap(row('d1', 1));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(s.tapCount()).toBe(0);
    });

    it('keeps sequence state and gaps: open, split, closed', () => {
      const s = open();
      let st = EMPTY_SEQ_STATE;
      for (const [seqs, now] of [[[1, 2, 8], 100], [[5], 200], [[3, 4, 6, 7], 300]] as const) {
        const r = applySeqs(st, seqs, now);
        s.transaction(() => s.saveSeqState('d1', r.state, r.changes, now));
        st = r.state;
        expect(s.loadSeqState('d1')).toEqual(st);
      }
      expect(s.device('d1')?.seq).toEqual({ committedUpTo: 8, maxSeq: 8, openGaps: 0 });
      const gaps = s.gaps('d1', 10);
      expect(gaps.every((g) => g.closedAtMs === 300 && g.openedAtMs === 100)).toBe(true);
      expect(gaps).toHaveLength(2);
      const r = applySeqs(st, [12], 400);
      s.transaction(() => s.saveSeqState('d1', r.state, r.changes, 400));
      expect(s.gaps('d1', 10)[0]).toEqual({ fromSeq: 9, toSeq: 11, openedAtMs: 400, closedAtMs: null });
      expect(s.device('d1')?.seq).toEqual({ committedUpTo: 8, maxSeq: 12, openGaps: 1 });
    });

    it('keeps the latest status; a last will marks offline and keeps the heartbeat; propagation counts version ≥ N', () => {
      const s = open();
      s.transaction(() => {
        s.saveStatus(makeHeartbeat('a', { stoplist: 7 }), 10);
        s.saveStatus(makeHeartbeat('b', { stoplist: 8, benefit: 1 }), 11);
        s.saveStatus(makeHeartbeat('c', { benefit: 1 }), 12);
        s.saveStatus({ v: 1, deviceId: 'b', online: false }, 20);
        s.saveStatus({ v: 1, deviceId: 'b', online: false }, 30);
      });
      const b = s.device('b')!;
      expect(b).toMatchObject({ online: false, lastSeenMs: 30, offlineSinceMs: 20, kind: 'terminal' });
      expect(b.heartbeat?.lists['stoplist']?.version).toBe(8);
      expect(s.propagation('stoplist', 8)).toEqual({ list: 'stoplist', version: 8, atOrAbove: 1, reporting: 2, onlineAtOrAbove: 0 });
      expect(s.propagation('stoplist', 7)).toMatchObject({ atOrAbove: 2, onlineAtOrAbove: 1 });
      s.transaction(() => s.saveStatus(makeHeartbeat('b', { stoplist: 9 }), 40));
      expect(s.device('b')).toMatchObject({ online: true, offlineSinceMs: null, lastSeenMs: 40 });
      expect(s.propagation('stoplist', 9)).toMatchObject({ atOrAbove: 1, onlineAtOrAbove: 1 });
      expect(s.devices().map((d) => d.deviceId)).toEqual(['a', 'b', 'c']);
    });

    it('a status relayed by a gateway is kept with the gateway named, and an older one never replaces a newer', () => {
      const s = open();
      let kept: boolean[] = [];
      s.transaction(() => {
        kept = [
          s.saveStatus(makeHeartbeat('t1', { stoplist: 5 }), 100, 'gw-1'),
          s.saveStatus(makeHeartbeat('t1', { stoplist: 4 }), 90, 'gw-1'), // older: a resend after a reconnect
          s.saveStatus(makeHeartbeat('t2', { stoplist: 5 }), 50, null),
          s.saveStatus({ v: 1, deviceId: 't2', online: false }, 60, 'gw-1'),
        ];
      });
      expect(kept).toEqual([true, false, true, true]);
      expect(s.device('t1')).toMatchObject({ online: true, lastSeenMs: 100, viaGatewayId: 'gw-1' });
      expect(s.device('t1')?.heartbeat?.lists['stoplist']?.version).toBe(5);
      expect(s.propagation('stoplist', 5)).toMatchObject({ atOrAbove: 2 });
      expect(s.device('t2')).toMatchObject({ online: false, offlineSinceMs: 60, viaGatewayId: 'gw-1' });
      s.transaction(() => s.saveStatus(makeHeartbeat('t2', { stoplist: 6 }), 70, null));
      expect(s.device('t2')).toMatchObject({ online: true, viaGatewayId: null, lastSeenMs: 70 });
    });
  });
}
