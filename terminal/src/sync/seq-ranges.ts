/**
 * A set of tap sequence numbers as sorted, disjoint, inclusive ranges. Taps arrive with
 * consecutive seqs, so the sets the uplink keeps (live taps, resends, delivered-ahead) are a
 * few ranges however many taps they hold.
 *
 * Bound: at most `maxRanges` ranges. Overflow policy is the owner's (see uplink-window.ts):
 * `add` returns false and the set is unchanged; every owner's answer is "forget the hint and
 * let the journal order decide", which can only cause a duplicate send, never a lost tap.
 */
export type SeqRange = readonly [first: number, last: number];

export class SeqRanges {
  private ranges: [number, number][] = [];

  constructor(readonly maxRanges: number) {}

  get rangeCount(): number {
    return this.ranges.length;
  }

  get size(): number {
    return this.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  }

  list(): readonly SeqRange[] {
    return this.ranges;
  }

  /** Add [first, last]; false (and no change) when it would exceed maxRanges. */
  add(first: number, last = first): boolean {
    const next: [number, number][] = [];
    let lo = first;
    let hi = last;
    let placed = false;
    for (const [a, b] of this.ranges) {
      if (b + 1 < lo) next.push([a, b]);
      else if (hi + 1 < a) {
        if (!placed) next.push([lo, hi]);
        placed = true;
        next.push([a, b]);
      } else {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
    }
    if (!placed) next.push([lo, hi]);
    if (next.length > this.maxRanges) return false;
    this.ranges = next;
    return true;
  }

  /** The last seq of the range holding `seq`, or null. */
  endOfRangeAt(seq: number): number | null {
    for (const [a, b] of this.ranges) {
      if (seq < a) return null;
      if (seq <= b) return b;
    }
    return null;
  }

  has(seq: number): boolean {
    return this.endOfRangeAt(seq) !== null;
  }

  /** Remove every seq <= `seq`. */
  removeUpTo(seq: number): void {
    this.ranges = this.ranges.filter(([, b]) => b > seq).map(([a, b]) => [Math.max(a, seq + 1), b]);
  }

  /** Take up to `count` of the lowest seqs out of the set. */
  takeLowest(count: number): number[] {
    const out: number[] = [];
    while (out.length < count && this.ranges.length > 0) {
      const r = this.ranges[0]!;
      out.push(r[0]);
      if (r[0] === r[1]) this.ranges.shift();
      else r[0] += 1;
    }
    return out;
  }

  clear(): void {
    this.ranges = [];
  }
}
