/**
 * Per-device sequence accounting: the contiguous high-water mark and the missing ranges.
 *
 * Invariant: every seq in 1..maxSeq is committed except those inside an open gap; gaps are
 * disjoint, sorted, and lie inside 1..maxSeq. So `committedUpTo` (the ack value: every seq
 * ≤ it is committed) is `firstGap.fromSeq - 1`, or `maxSeq` when nothing is missing.
 *
 * A gap opens when a seq arrives beyond maxSeq + 1 ("since" = that arrival). A later seq inside
 * a gap shrinks or splits it (the pieces keep the original `openedAtMs`); the last seq of a
 * gap closes it (`closedAtMs`). Pure: the caller passes `nowMs`.
 */
export interface SeqGap {
  readonly fromSeq: number;
  /** Inclusive. */
  readonly toSeq: number;
  readonly openedAtMs: number;
}

export interface SeqState {
  readonly maxSeq: number;
  readonly gaps: readonly SeqGap[];
}

/** What changed in the gap table, for the store to write. */
export type GapChange =
  | { readonly kind: 'open'; readonly gap: SeqGap }
  | { readonly kind: 'shrink'; readonly before: SeqGap; readonly after: SeqGap }
  | { readonly kind: 'close'; readonly gap: SeqGap; readonly closedAtMs: number };

export const EMPTY_SEQ_STATE: SeqState = { maxSeq: 0, gaps: [] };

export function committedUpTo(state: SeqState): number {
  const first = state.gaps[0];
  return first ? first.fromSeq - 1 : state.maxSeq;
}

/** Index of the gap containing `seq`, or -1 (binary search: gaps are sorted and disjoint). */
function findGap(gaps: readonly SeqGap[], seq: number): number {
  let lo = 0;
  let hi = gaps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = gaps[mid]!;
    if (seq < g.fromSeq) hi = mid - 1;
    else if (seq > g.toSeq) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Account for seqs that were newly committed (the store inserted them: not duplicates).
 * Order does not matter. A seq ≤ maxSeq outside any gap cannot be new; it is ignored.
 */
export function applySeqs(state: SeqState, newSeqs: readonly number[], nowMs: number): { state: SeqState; changes: GapChange[] } {
  if (newSeqs.length === 0) return { state, changes: [] };
  const sorted = [...newSeqs].sort((a, b) => a - b);
  const gaps = [...state.gaps];
  const changes: GapChange[] = [];
  let maxSeq = state.maxSeq;
  for (const seq of sorted) {
    if (seq > maxSeq) {
      if (seq > maxSeq + 1) {
        const gap = { fromSeq: maxSeq + 1, toSeq: seq - 1, openedAtMs: nowMs };
        gaps.push(gap);
        changes.push({ kind: 'open', gap });
      }
      maxSeq = seq;
      continue;
    }
    const at = findGap(gaps, seq);
    if (at < 0) continue;
    const g = gaps[at]!;
    if (g.fromSeq === seq && g.toSeq === seq) {
      gaps.splice(at, 1);
      changes.push({ kind: 'close', gap: g, closedAtMs: nowMs });
    } else if (g.fromSeq === seq || g.toSeq === seq) {
      const after = g.fromSeq === seq ? { ...g, fromSeq: seq + 1 } : { ...g, toSeq: seq - 1 };
      gaps[at] = after;
      changes.push({ kind: 'shrink', before: g, after });
    } else {
      const left = { ...g, toSeq: seq - 1 };
      const right = { ...g, fromSeq: seq + 1 };
      gaps.splice(at, 1, left, right);
      changes.push({ kind: 'shrink', before: g, after: left }, { kind: 'open', gap: right });
    }
  }
  return { state: { maxSeq, gaps }, changes };
}
