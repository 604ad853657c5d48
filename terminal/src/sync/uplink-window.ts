/**
 * UplinkWindow: what goes in the next tap batch, what is in flight, and what an ack means.
 * Pure bookkeeping over seq numbers (no I/O, no clock); uplink.ts feeds it journal facts,
 * times and acks. The journal stays the only store of taps: nothing here holds a tap, so no
 * bound below can ever drop one — an overflow only forgets a hint and costs a duplicate send.
 *
 * Order of a batch: live taps first (noted while connected, newer than the backlog cursor),
 * then resends (batches whose ack timed out), then the backlog in seq order from `cursor`.
 *
 * Acks. The hop answers each batch with {batchId, committedUpTo}: the batch is committed, and
 * everything <= committedUpTo is (contiguously) committed. Only committedUpTo deletes from the
 * journal. A live tap sent ahead of the backlog is durable at the hop when its batch is acked,
 * but committedUpTo passes it only once the backlog below it is in; until then its seq sits in
 * `delivered`, which the backlog cursor and resends skip, so it is not sent again. `delivered`
 * lives in memory: after a restart those taps are sent again (duplicates; the hop is
 * idempotent on (device, seq)). A PUBACK means nothing here.
 *
 * committedUpTo is clamped to the highest seq sent by this process: an ack can never delete a
 * tap this device has not sent (a confused hop, or a hop remembering an older device db).
 */
import { SeqRanges } from './seq-ranges.js';

export interface UplinkWindowOptions {
  /** Taps per batch (<= MAX_TAPS_PER_BATCH). */
  readonly batchSize: number;
  /** Batches sent and not yet acked; sending stops at this bound until an ack or a timeout. */
  readonly maxInFlightBatches: number;
  readonly ackTimeoutMs: number;
}

interface InFlight {
  readonly seqs: readonly number[];
  readonly maxSeq: number;
  readonly deadlineMs: number;
}

// Live taps during a drain arrive a few per second with consecutive seqs: a handful of ranges.
// Overflow: stop noting (the taps go in seq order with the backlog).
const LIVE_MAX_RANGES = 64;
// Seqs sent ahead of the cursor (live) / committed ahead of committedUpTo: a few ranges.
// Overflow: forget the set (the cursor sends those taps again: duplicates, never a loss).
const AHEAD_MAX_RANGES = 1024;
// Timed-out batches remembered so a late ack still counts (oldest forgotten first).
const EXPIRED_MEMORY = 32;

export interface AckResult {
  /** Delete the journal up to this seq (null: committedUpTo did not advance). */
  readonly ackUpTo: number | null;
  readonly beyondSent: boolean;
  readonly knownBatch: boolean;
}

export class UplinkWindow {
  private connected = false;
  private committed = 0;
  private cursor = 0;
  private maxSent = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly expired = new Map<string, readonly number[]>();
  private readonly live = new SeqRanges(LIVE_MAX_RANGES);
  // Bounded by construction: filled only from in-flight batches (<= maxInFlight x batchSize seqs).
  private readonly resend: SeqRanges;
  private readonly aheadSent = new SeqRanges(AHEAD_MAX_RANGES);
  private readonly delivered = new SeqRanges(AHEAD_MAX_RANGES);

  constructor(private readonly options: UplinkWindowOptions) {
    this.resend = new SeqRanges(options.batchSize * options.maxInFlightBatches);
  }

  /** A new connection: resend everything unacked. `floorSeq`: seqs <= it are gone from the journal. */
  rewind(floorSeq: number): void {
    this.connected = true;
    this.committed = Math.max(this.committed, floorSeq);
    this.cursor = this.committed;
    this.inFlight.clear();
    this.expired.clear();
    this.resend.clear();
    this.aheadSent.clear();
    this.live.clear();
    this.delivered.removeUpTo(this.committed);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  disconnected(): void {
    this.connected = false;
  }

  /** A tap was journaled: send it ahead of any backlog. */
  noteLive(seq: number): void {
    if (this.connected && seq > this.cursor) this.live.add(seq);
  }

  canSend(): boolean {
    return this.connected && this.inFlight.size < this.options.maxInFlightBatches;
  }

  /** Choose the next batch (at most batchSize seqs, all <= maxSeq) and put it in flight. */
  open(batchId: string, maxSeq: number, nowMs: number): number[] {
    if (!this.canSend()) return [];
    const { batchSize } = this.options;
    const out = this.live.takeLowest(batchSize).filter((s) => s <= maxSeq);
    for (const s of out) if (!this.aheadSent.add(s)) this.aheadSent.clear();
    while (out.length < batchSize && this.resend.size > 0) {
      out.push(...this.resend.takeLowest(batchSize - out.length).filter((s) => !this.delivered.has(s)));
    }
    while (out.length < batchSize && this.cursor < maxSeq) {
      const s = this.cursor + 1;
      const skip = Math.max(this.aheadSent.endOfRangeAt(s) ?? 0, this.delivered.endOfRangeAt(s) ?? 0);
      if (skip >= s) {
        this.cursor = skip;
        continue;
      }
      out.push(s);
      this.cursor = s;
    }
    this.aheadSent.removeUpTo(this.cursor);
    this.live.removeUpTo(this.cursor);
    if (out.length === 0) return out;
    const batchMax = Math.max(...out);
    this.maxSent = Math.max(this.maxSent, batchMax);
    this.inFlight.set(batchId, { seqs: out, maxSeq: batchMax, deadlineMs: nowMs + this.options.ackTimeoutMs });
    return out;
  }

  /** The batch turned out empty (its taps were acked meanwhile): free its slot. */
  cancel(batchId: string): void {
    this.inFlight.delete(batchId);
  }

  ack(batchId: string, committedUpTo: number): AckResult {
    const beyondSent = committedUpTo > this.maxSent;
    const high = Math.min(committedUpTo, this.maxSent);
    const advanced = high > this.committed;
    if (advanced) this.committed = high;
    const batch = this.inFlight.get(batchId)?.seqs ?? this.expired.get(batchId);
    const knownBatch = batch !== undefined;
    if (batch) {
      this.inFlight.delete(batchId);
      this.expired.delete(batchId);
      for (const s of batch) {
        if (s > this.committed && !this.delivered.add(s)) this.delivered.clear();
      }
    }
    for (const [id, b] of this.inFlight) if (b.maxSeq <= this.committed) this.inFlight.delete(id);
    for (const set of [this.live, this.resend, this.aheadSent, this.delivered]) set.removeUpTo(this.committed);
    this.cursor = Math.max(this.cursor, this.committed);
    return { ackUpTo: advanced ? high : null, beyondSent, knownBatch };
  }

  /** Batches whose ack is overdue: their taps go to the resend queue. Returns their ids. */
  expire(nowMs: number): string[] {
    const ids: string[] = [];
    for (const [id, b] of this.inFlight) {
      if (b.deadlineMs > nowMs) continue;
      ids.push(id);
      this.inFlight.delete(id);
      for (const s of b.seqs) if (s > this.committed) this.resend.add(s);
      this.expired.set(id, b.seqs);
      if (this.expired.size > EXPIRED_MEMORY) this.expired.delete(this.expired.keys().next().value!);
    }
    return ids;
  }

  snapshot(): { committedUpTo: number; cursor: number; inFlightBatches: number; resendTaps: number; liveTaps: number; deliveredAhead: number } {
    return {
      committedUpTo: this.committed,
      cursor: this.cursor,
      inFlightBatches: this.inFlight.size,
      resendTaps: this.resend.size,
      liveTaps: this.live.size,
      deliveredAhead: this.delivered.size,
    };
  }
}
