/**
 * ForwardWindow: which outbox rows are in flight upstream and what an upstream ack frees. Pure
 * bookkeeping (no I/O, no clock: times are passed in). The outbox stays the only store of taps;
 * nothing here holds one, so no bound here can lose a tap — at worst a tap is sent twice (the
 * server is idempotent on (device, seq)).
 *
 * Rows are sent in rowid order from `cursor`. At most `maxInFlight` messages wait for their ack.
 * A new connection, or an ack overdue by `ackTimeoutMs`, rewinds: the cursor goes back to 0 and
 * every row not yet acknowledged is sent again. Message ids that were in flight at a rewind are
 * remembered (the last RECENT_MEMORY) so that a late ack still marks its rows delivered.
 */
export interface ForwardWindowOptions {
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
}

interface InFlight {
  readonly rowids: readonly number[];
  readonly deadlineMs: number;
}

// Late acks after a rewind: a few windows' worth. Overflow: the oldest is forgotten (its rows are
// then freed by the server's committedUpTo, or sent once more).
const RECENT_MEMORY = 64;

export class ForwardWindow {
  private connected = false;
  private cursorRowid = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly recent = new Map<string, readonly number[]>();

  constructor(private readonly options: ForwardWindowOptions) {}

  /** A new upstream connection: send everything unacked again. */
  rewind(): void {
    this.connected = true;
    this.forgetInFlight();
  }

  disconnected(): void {
    this.connected = false;
    this.forgetInFlight();
  }

  canSend(): boolean {
    return this.connected && this.inFlight.size < this.options.maxInFlight;
  }

  /** Rows with a rowid above this have not been sent on this connection. */
  get cursor(): number {
    return this.cursorRowid;
  }

  open(batchId: string, rowids: readonly number[], nowMs: number): void {
    if (rowids.length === 0) return;
    this.inFlight.set(batchId, { rowids, deadlineMs: nowMs + this.options.ackTimeoutMs });
    this.cursorRowid = Math.max(this.cursorRowid, ...rowids);
  }

  /** The rows of an acked message (in flight or recently rewound), or null if unknown. */
  ack(batchId: string): readonly number[] | null {
    const rows = this.inFlight.get(batchId)?.rowids ?? this.recent.get(batchId) ?? null;
    this.inFlight.delete(batchId);
    this.recent.delete(batchId);
    return rows;
  }

  /** True (and rewound) when an ack is overdue. */
  expire(nowMs: number): boolean {
    for (const b of this.inFlight.values()) {
      if (b.deadlineMs <= nowMs) {
        this.forgetInFlight();
        return true;
      }
    }
    return false;
  }

  snapshot(): { connected: boolean; inFlight: number; cursor: number } {
    return { connected: this.connected, inFlight: this.inFlight.size, cursor: this.cursorRowid };
  }

  private forgetInFlight(): void {
    for (const [id, b] of this.inFlight) this.recent.set(id, b.rowids);
    while (this.recent.size > RECENT_MEMORY) this.recent.delete(this.recent.keys().next().value!);
    this.inFlight.clear();
    this.cursorRowid = 0;
  }
}
