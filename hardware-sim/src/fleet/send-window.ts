/**
 * What a simulated terminal sends next and what an ack means; pure bookkeeping over seqs (no I/O,
 * no clock: times come in as arguments). A simpler cousin of the terminal's UplinkWindow: no live
 * lane, batches go in seq order from a cursor.
 *
 * - Up to `maxInFlight` batches are sent and unacked; each is seqs cursor+1 .. cursor+batchSize.
 * - An ack {batchId, committedUpTo}: everything ≤ committedUpTo (clamped to the highest seq sent)
 *   may be deleted; batches ending at or below it are done; the ack's own batch is done and its
 *   publish → ack time is a latency sample.
 * - A new connection, or a batch unacked past its deadline: back to committedUpTo and send all
 *   above it again (the hop is idempotent on (device, seq); a resend costs duplicates, never a loss).
 */
export interface SendWindowOptions {
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
}

export interface AckOutcome {
  /** Delete the journal up to here (null: no progress). */
  readonly deleteUpTo: number | null;
  /** publish → ack of this batch, when it is one in flight. */
  readonly latencyMs: number | null;
  readonly beyondSent: boolean;
}

interface InFlight {
  readonly to: number;
  readonly sentAtMs: number;
}

export class SendWindow {
  private committed = 0;
  private cursor = 0;
  private maxSent = 0;
  // Bounded by maxInFlight (open() refuses beyond it).
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: SendWindowOptions) {}

  get committedUpTo(): number {
    return this.committed;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resend everything above committedUpTo (new connection, or an ack timed out). */
  rewind(): void {
    this.cursor = this.committed;
    this.inFlight.clear();
  }

  /** The next batch's seq range (and it is now in flight), or null: window full or nothing new. */
  open(batchId: string, newestSeq: number, nowMs: number): { from: number; to: number } | null {
    if (this.inFlight.size >= this.options.maxInFlight || this.cursor >= newestSeq) return null;
    const from = this.cursor + 1;
    const to = Math.min(newestSeq, this.cursor + this.options.batchSize);
    this.cursor = to;
    this.maxSent = Math.max(this.maxSent, to);
    this.inFlight.set(batchId, { to, sentAtMs: nowMs });
    return { from, to };
  }

  ack(batchId: string, committedUpTo: number, nowMs: number): AckOutcome {
    const own = this.inFlight.get(batchId);
    this.inFlight.delete(batchId);
    const upTo = Math.min(committedUpTo, this.maxSent);
    let deleteUpTo: number | null = null;
    if (upTo > this.committed) {
      this.committed = upTo;
      this.cursor = Math.max(this.cursor, upTo);
      deleteUpTo = upTo;
      for (const [id, b] of this.inFlight) if (b.to <= upTo) this.inFlight.delete(id);
    }
    return { deleteUpTo, latencyMs: own ? nowMs - own.sentAtMs : null, beyondSent: committedUpTo > this.maxSent };
  }

  /** True when some batch is overdue (the caller rewinds and resends). */
  overdue(nowMs: number): boolean {
    for (const b of this.inFlight.values()) if (nowMs - b.sentAtMs > this.options.ackTimeoutMs) return true;
    return false;
  }
}
