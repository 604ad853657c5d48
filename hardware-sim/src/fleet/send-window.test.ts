import { describe, expect, it } from 'vitest';
import { FleetJournal } from './fleet-journal.js';
import { SendWindow } from './send-window.js';
import { syntheticTap, syntheticToken } from './synthetic-tap.js';
import { decodePayload, tapBatchSchema } from '@rescard/shared';

const tap = (seq: number): ReturnType<typeof syntheticTap> =>
  syntheticTap({ deviceId: 'fleet-0001', bootId: 'b1', seq, wallMs: 1, monoMs: seq, profile: 'bus', card: seq, token: syntheticToken(1, seq), roll: 0.5, listVersions: {} });

describe('SendWindow', () => {
  it('sends in seq order up to the window, deletes only on committedUpTo', () => {
    const w = new SendWindow({ batchSize: 10, maxInFlight: 2, ackTimeoutMs: 1000 });
    expect(w.open('a', 25, 0)).toEqual({ from: 1, to: 10 });
    expect(w.open('b', 25, 0)).toEqual({ from: 11, to: 20 });
    expect(w.open('c', 25, 0)).toBeNull();
    // b acked first, but 1..10 are not committed yet: nothing to delete.
    expect(w.ack('b', 0, 5)).toEqual({ deleteUpTo: null, latencyMs: 5, beyondSent: false });
    expect(w.ack('a', 20, 7)).toEqual({ deleteUpTo: 20, latencyMs: 7, beyondSent: false });
    expect(w.open('c', 25, 8)).toEqual({ from: 21, to: 25 });
    expect(w.open('d', 25, 8)).toBeNull();
  });

  it('clamps an ack beyond what was sent and rewinds to resend on timeout', () => {
    const w = new SendWindow({ batchSize: 5, maxInFlight: 4, ackTimeoutMs: 100 });
    w.open('a', 12, 0);
    w.open('b', 12, 0);
    expect(w.ack('x', 99, 1)).toEqual({ deleteUpTo: 10, latencyMs: null, beyondSent: true });
    w.open('c', 12, 2);
    expect(w.overdue(50)).toBe(false);
    expect(w.overdue(200)).toBe(true);
    w.rewind();
    expect(w.open('d', 12, 200)).toEqual({ from: 11, to: 12 });
  });
});

describe('FleetJournal', () => {
  it('is bounded, deletes from the front only, and its taps pass the protocol schema', () => {
    const j = new FleetJournal(3);
    expect([1, 2, 3, 4].map(() => j.append(tap, 0))).toEqual([1, 2, 3, null]);
    expect(j.ackUpTo(2)).toBe(2);
    expect(j.range(1, 10).map((t) => t.seq)).toEqual([3]);
    expect(j.append(tap, 0)).toBe(4);
    expect([j.depth, j.journaled, j.acked]).toEqual([2, 4, 2]);
    const batch = { v: 1, deviceId: 'fleet-0001', batchId: 'b', sentAtMs: 1, taps: j.range(3, 4) };
    expect(decodePayload(tapBatchSchema, JSON.stringify(batch)).ok).toBe(true);
    for (const profile of ['gate', 'canteen'] as const) {
      const t = syntheticTap({ deviceId: 'g', bootId: 'b', seq: 1, wallMs: 1, monoMs: 1, profile, card: 7, token: syntheticToken(2, 7), roll: 0.01, listVersions: { roster: 2 } });
      expect(decodePayload(tapBatchSchema, JSON.stringify({ ...batch, taps: [t] })).ok).toBe(true);
      expect(t.panMasked).toBe('220000******0007');
    }
  });
});
