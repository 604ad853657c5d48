/**
 * Folds the pending rows of applied deltas into the lists in the background
 * (ListStore.compactDeltas; sqlite-list-store.ts says why deltas are written as pending rows).
 *
 * - A step folds `rowsPerStep` rows (256: a few milliseconds) in one short transaction.
 * - Steps are `pauseMs` apart (25 ms), so the reader's callbacks always get the event loop, and
 *   a step runs only while quiet() (no card being read): a step waits for the tap to finish.
 * - It runs until a step folds nothing, then sleeps until the next kick() (a delta applied, the
 *   device started).
 * - A failed step is logged and retried after `retryMs`. Nothing waits on the fold: lookups read
 *   the pending rows, so every answer is the same before, during and after it.
 */
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import type { ListStore } from '../ports/list-store.js';

export interface ListCompactorDeps {
  readonly store: Pick<ListStore, 'compactDeltas'>;
  readonly log: Logger;
  /** False while a card is being read: the step waits. Default: always quiet. */
  readonly quiet?: () => boolean;
  readonly rowsPerStep?: number;
  readonly pauseMs?: number;
  readonly retryMs?: number;
}

export class ListCompactor {
  private readonly store: Pick<ListStore, 'compactDeltas'>;
  private readonly log: Logger;
  private readonly quiet: () => boolean;
  private readonly rowsPerStep: number;
  private readonly pauseMs: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private waiting: (() => void)[] = [];
  private folded = 0;

  constructor(deps: ListCompactorDeps) {
    this.store = deps.store;
    this.log = deps.log.child({ module: 'list-compactor' });
    this.quiet = deps.quiet ?? (() => true);
    this.rowsPerStep = deps.rowsPerStep ?? 256;
    this.pauseMs = deps.pauseMs ?? 25;
    this.retryMs = deps.retryMs ?? 30_000;
  }

  /** Rows folded since start. */
  get foldedRows(): number {
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
      rows = this.store.compactDeltas(this.rowsPerStep);
    } catch (err) {
      const code = err instanceof RescardError ? err.code : 'STORE_FAILURE';
      this.log.error({ code, err: err instanceof Error ? err.message : String(err), retryMs: this.retryMs }, 'folding delta rows failed; will retry');
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
