import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_SEQ_STATE, applySeqs, committedUpTo, type SeqState } from './seq-state.js';

const apply = (s: SeqState, seqs: number[], now = 1000): SeqState => applySeqs(s, seqs, now).state;

describe('sequence state', () => {
  it('in order: high-water follows, no gaps', () => {
    const s = apply(EMPTY_SEQ_STATE, [1, 2, 3]);
    expect(s).toEqual({ maxSeq: 3, gaps: [] });
    expect(committedUpTo(s)).toBe(3);
  });

  it('reordered batches: a gap opens at the jump, high-water stops below it, and closes when filled', () => {
    const a = applySeqs(EMPTY_SEQ_STATE, [1, 2, 6, 7], 1000);
    expect(a.state.gaps).toEqual([{ fromSeq: 3, toSeq: 5, openedAtMs: 1000 }]);
    expect(committedUpTo(a.state)).toBe(2);
    const b = applySeqs(a.state, [4], 2000);
    expect(b.state.gaps).toEqual([
      { fromSeq: 3, toSeq: 3, openedAtMs: 1000 },
      { fromSeq: 5, toSeq: 5, openedAtMs: 1000 },
    ]);
    const c = applySeqs(b.state, [5, 3], 3000);
    expect(c.state).toEqual({ maxSeq: 7, gaps: [] });
    expect(c.changes.filter((x) => x.kind === 'close')).toHaveLength(2);
    expect(committedUpTo(c.state)).toBe(7);
  });

  it('a first batch that starts above 1 leaves 1..n-1 missing', () => {
    const s = apply(EMPTY_SEQ_STATE, [5]);
    expect(s.gaps).toEqual([{ fromSeq: 1, toSeq: 4, openedAtMs: 1000 }]);
    expect(committedUpTo(s)).toBe(0);
  });

  it('property: any arrival order of 1..n ends with high-water n and no gaps; high-water is always contiguous', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.shuffledSubarray([...Array(n).keys()].map((i) => i + 1), { minLength: n }), fc.integer({ min: 1, max: 7 }))), ([order, chunk]) => {
        let s = EMPTY_SEQ_STATE;
        const seen = new Set<number>();
        for (let i = 0; i < order.length; i += chunk) {
          const part = order.slice(i, i + chunk);
          s = apply(s, part);
          part.forEach((x) => seen.add(x));
          const hwm = committedUpTo(s);
          for (let k = 1; k <= hwm; k++) expect(seen.has(k)).toBe(true);
          expect(seen.has(hwm + 1)).toBe(false);
        }
        expect(s).toEqual({ maxSeq: order.length, gaps: [] });
      }),
      { numRuns: 300 },
    );
  });
});
