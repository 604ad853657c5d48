/**
 * The simulated terminal's tap journal: in memory (a load tool, not a device), seqs 1, 2, 3, …
 * in this process's life, deleted only from the front and only by an application ack
 * (committedUpTo). Bounded: at `capacity` taps append() refuses, and the caller does not make
 * the tap (the rider waits at the reader) — a journaled tap is never dropped.
 */
import type { TapWire } from '@rescard/shared';

export class FleetJournal {
  private taps: TapWire[] = [];
  private head = 0;
  /** Seq of taps[head] when the journal is not empty; always committed + 1. */
  private firstSeq = 1;
  private lastSeq = 0;
  private readonly journaledAtMs: number[] = [];

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.lastSeq - this.firstSeq + 1;
  }

  /** Highest seq journaled (0: none). */
  get newestSeq(): number {
    return this.lastSeq;
  }

  /** Taps journaled in this run (= newestSeq, as seqs start at 1). */
  get journaled(): number {
    return this.lastSeq;
  }

  /** Taps deleted by acks. */
  get acked(): number {
    return this.firstSeq - 1;
  }

  get full(): boolean {
    return this.depth >= this.capacity;
  }

  /** The next seq, or null when full. `make` builds the tap for that seq. */
  append(make: (seq: number) => TapWire, nowMs: number): number | null {
    if (this.full) return null;
    const seq = this.lastSeq + 1;
    this.taps.push(make(seq));
    this.journaledAtMs.push(nowMs);
    this.lastSeq = seq;
    return seq;
  }

  /** Taps from..to (inclusive) still in the journal, in seq order. */
  range(from: number, to: number): TapWire[] {
    const start = Math.max(from, this.firstSeq) - this.firstSeq + this.head;
    const end = Math.min(to, this.lastSeq) - this.firstSeq + this.head + 1;
    return start < end ? this.taps.slice(start, end) : [];
  }

  oldestAgeMs(nowMs: number): number | null {
    const at = this.journaledAtMs[this.head];
    return this.depth > 0 && at !== undefined ? Math.max(0, nowMs - at) : null;
  }

  /** Delete every tap with seq ≤ upTo; returns how many went. */
  ackUpTo(upTo: number): number {
    const n = Math.min(upTo, this.lastSeq) - this.firstSeq + 1;
    if (n <= 0) return 0;
    this.head += n;
    this.firstSeq += n;
    // Compact now and then so the arrays do not keep acked taps alive.
    if (this.head > 4096 && this.head * 2 > this.taps.length) {
      this.taps = this.taps.slice(this.head);
      this.journaledAtMs.splice(0, this.head);
      this.head = 0;
    }
    return n;
  }
}
