/**
 * The device's list housekeeping in the background (ListStore.compact; sqlite-list-store.ts says
 * why deltas are written as pending rows and snapshots as new generations): folds the pending
 * rows of applied deltas into the lists, then deletes the rows of replaced snapshots.
 *
 * - A step folds up to `foldRowsPerStep` rows (256: a few ms) and deletes up to
 *   `dropRowsPerStep` (4,096 contiguous rows: a few ms), in one short transaction.
 * - Steps are `pauseMs` apart (25 ms), so the reader's callbacks always get the event loop, and
 *   a step runs only while quiet() (no card being read): a step waits for the tap to finish.
 * - It runs until a step handles nothing, then sleeps until the next kick() (a list applied,
 *   the device started) or the periodic one (`everyMs`, 10 min: a list loaded by another process,
 *   `rescard-terminal lists load`, beside the running device).
 * - A failed step (e.g. another process holds the write lock: a step never waits for it) is
 *   logged and retried after `retryMs` (30 s). Nothing waits on housekeeping: lookups read the
 *   pending rows and only the generation in force, so every answer is the same before, during
 *   and after it.
 * - A step never starts while a card is handled; a tap that arrives during a step waits for it
 *   (~10 ms; bench:propagate prints the longest step).
 */
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import type { CompactLimits, ListStore } from '../ports/list-store.js';

export interface ListCompactorDeps {
  readonly store: Pick<ListStore, 'compact'>;
  readonly log: Logger;
  /** False while a card is being read: the step waits. Default: always quiet. */
  readonly quiet?: () => boolean;
  readonly foldRowsPerStep?: number;
  readonly dropRowsPerStep?: number;
  readonly pauseMs?: number;
  readonly retryMs?: number;
  /** Kick this often as well (0: only on kick()). */
  readonly everyMs?: number;
}

export class ListCompactor {
  private readonly store: Pick<ListStore, 'compact'>;
  private readonly log: Logger;
  private readonly quiet: () => boolean;
  private readonly limits: CompactLimits;
  private readonly pauseMs: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly periodic: NodeJS.Timeout | null;
  private stopped = false;
  private waiting: (() => void)[] = [];
  private folded = 0;

  constructor(deps: ListCompactorDeps) {
    this.store = deps.store;
    this.log = deps.log.child({ module: 'list-compactor' });
    this.quiet = deps.quiet ?? (() => true);
    this.limits = { foldRows: deps.foldRowsPerStep ?? 256, dropRows: deps.dropRowsPerStep ?? 4096 };
    this.pauseMs = deps.pauseMs ?? 25;
    this.retryMs = deps.retryMs ?? 30_000;
    const everyMs = deps.everyMs ?? 600_000;
    this.periodic = everyMs > 0 ? setInterval(() => this.kick(), everyMs).unref() : null;
  }

  /** Rows folded or dropped since start. */
  get handledRows(): number {
    return this.folded;
  }

  /** There may be rows to fold: start stepping (no-op if already stepping). */
  kick(): void {
    if (this.stopped || this.timer !== null) return;
    this.schedule(0);
  }

  /** Stop stepping; a step never runs after this returns. Pending rows stay for the next start. */
  stop(): void {
    this.stopped = true;
    if (this.periodic !== null) clearInterval(this.periodic);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.settle();
  }

  /** Resolves when stepping has stopped: nothing left to fold, or stop(). */
  idle(): Promise<void> {
    if (this.timer === null) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.step(), ms);
    this.timer.unref();
  }

  private step(): void {
    this.timer = null;
    if (this.stopped) return this.settle();
    if (!this.quiet()) return this.schedule(this.pauseMs);
    let rows: number;
    try {
      rows = this.store.compact(this.limits);
    } catch (err) {
      const code = err instanceof RescardError ? err.code : 'STORE_FAILURE';
      // warn: nothing waits on housekeeping (e.g. another process held the write lock); repeated warnings mean a store fault
      this.log.warn({ code, err: err instanceof Error ? err.message : String(err), retryMs: this.retryMs }, 'list housekeeping postponed; will retry');
      return this.schedule(this.retryMs);
    }
    this.folded += rows;
    if (rows > 0) return this.schedule(this.pauseMs);
    this.settle();
  }

  private settle(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
