/**
 * Scheduler: the timer seam of the sync code. The uplink and the heartbeat never call
 * setTimeout or read a clock themselves; tests drive them on virtual time with FakeScheduler.
 */
export interface Scheduler {
  /** Monotonic ms; never goes back. */
  now(): number;
  /** Run `fn` once after `ms`; the returned function cancels it (idempotent). */
  after(ms: number, fn: () => void): () => void;
}

export class SystemScheduler implements Scheduler {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  after(ms: number, fn: () => void): () => void {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  }
}

interface Pending {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
}

/** Virtual time: timers fire only inside `advance`, in due order. */
export class FakeScheduler implements Scheduler {
  private t = 0;
  private order = 0;
  private timers: Pending[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Pending = { at: this.t + Math.max(0, ms), order: this.order++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((p) => p !== timer);
    };
  }

  /** Move time forward by `ms`, firing every timer that falls due (including ones set meanwhile). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((p) => p !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
