/**
 * Scheduler: the timer port of the OSDP control panel (reply timeouts, poll period, reconnects,
 * passage timeouts), so that tests run on virtual time. SystemScheduler uses Node timers;
 * FakeScheduler moves a FakeClock and fires due timers only when told.
 */
import type { FakeClock } from '../../ports/clock.js';

export interface Scheduler {
  /** Run fn once after ms; returns a cancel function (safe to call twice). */
  after(ms: number, fn: () => void): () => void;
}

export class SystemScheduler implements Scheduler {
  after(ms: number, fn: () => void): () => void {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  }
}

/** Wait ms on a scheduler (virtual time under FakeScheduler). */
export function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.after(ms, resolve));
}

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** Lets every queued microtask and I/O callback run (not a timer: no wall time is waited for). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeScheduler implements Scheduler {
  private pending: Pending[] = [];
  private seq = 0;

  constructor(readonly clock: FakeClock) {}

  get pendingTimers(): number {
    return this.pending.length;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Pending = { due: this.clock.monoMs() + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(timer);
    return () => {
      this.pending = this.pending.filter((p) => p !== timer);
    };
  }

  /** Move virtual time forward by ms, firing due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.monoMs() + ms;
    await settle();
    for (;;) {
      const next = this.pending.filter((p) => p.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending = this.pending.filter((p) => p !== next);
      if (next.due > this.clock.monoMs()) this.clock.advance(next.due - this.clock.monoMs());
      next.fn();
      await settle();
    }
    if (target > this.clock.monoMs()) this.clock.advance(target - this.clock.monoMs());
    await settle();
  }

  /** Advance in steps until the condition holds; throws after maxMs of virtual time. */
  async until(condition: () => boolean, maxMs = 10_000, stepMs = 10): Promise<number> {
    const start = this.clock.monoMs();
    while (!condition()) {
      if (this.clock.monoMs() - start >= maxMs) throw new Error(`condition not met within ${maxMs} ms of virtual time`);
      await this.advance(stepMs);
    }
    return this.clock.monoMs() - start;
  }
}
