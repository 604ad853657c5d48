/**
 * WriterThread: the IngestWriter of the server on a data folder. The group writer (inserts, the
 * devices' sequence state, statuses, one FULL-synchronous commit per group) runs in a worker
 * thread on its own connection to server.db; this thread keeps the broker and the payload checks.
 * Both cores work: while the writer commits one group, the next one is parsed and checked here,
 * and it grows with the load (group commit), so a drain after an outage costs fewer commits.
 *
 * Ordering and acks: items reach the worker in the order they were submitted; each item's
 * onCommitted runs here after the worker's commit returned, in commit order.
 *
 * Bounded: at most `maxQueuedTaps` taps (a status counts as one) may be submitted and not yet
 * committed. Beyond that, pressure() hands the broker a promise, and the broker reads nothing
 * more from the sending client until the writer is back under half the bound (back-pressure
 * down to the TCP window and into the devices' journals). Nothing is dropped.
 *
 * If the worker dies, what it held is not acknowledged (devices resend after their ack timeout;
 * the store is idempotent on device + seq), and a new worker starts after a backoff (1 s,
 * doubling to 30 s); items submitted meanwhile wait for it, under the same bound.
 */
import { Worker } from 'node:worker_threads';
import { RescardError, builtWorkerFile } from '@rescard/shared';
import type { Logger } from 'pino';
import type { GroupWriterOptions } from '../../app/group-writer.js';
import type { DeviceResult, IngestWriter, ValidatedPayload, WorkItem, WriterStats } from '../../ports/ingest-writer.js';
import type { WriterReply, WriterRequest, WriterWorkerData } from './writer-messages.js';

export interface WriterThreadOptions {
  readonly dbPath: string;
  readonly group: Omit<GroupWriterOptions, 'now'>;
  /** Taps submitted and not yet committed before the broker holds back (default 20 000). */
  readonly maxQueuedTaps?: number;
  readonly log: Logger;
}

interface Held {
  readonly taps: number;
  readonly onCommitted?: (results: readonly DeviceResult[]) => void;
}

type ItemRequest = Extract<WriterRequest, { t: 'item' }>;

const ZERO: WriterStats = { messages: 0, taps: 0, inserted: 0, duplicates: 0, conflicts: 0, commits: 0, commitFailures: 0 };

/** The worker's compiled file (shared builtWorkerFile: from the sources, a build no older than them). */
const workerFile = (): string =>
  builtWorkerFile(import.meta.url, './writer-worker.js', ['./writer-worker.ts', './sqlite-ingest-store.ts', './open-server-db.ts', '../../app/group-writer.ts', '../../core/seq-state.ts']);

/** A copy of the payload in an ArrayBuffer of its own, to transfer (a Buffer may view a shared pool). */
function ownBytes(bytes: Buffer): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

export class WriterThread implements IngestWriter {
  readonly stats: WriterStats = { ...ZERO };
  /** Totals of the workers that died (a new worker counts from zero). */
  private base: WriterStats = { ...ZERO };
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly held = new Map<number, Held>();
  /** Items submitted while no worker runs (after a crash, until the new one starts). */
  private waiting: { request: ItemRequest; transfer: ArrayBuffer[] }[] = [];
  private readonly drains = new Map<number, () => void>();
  private nextId = 1;
  private queuedTaps = 0;
  private peak = 0;
  private relief: { promise: Promise<void>; resolve: () => void } | null = null;
  private restartDelayMs = 1000;
  private upSinceMs = 0;
  private restarts = 0;
  /** stop() was called: no restart. */
  private stopRequested = false;
  /** stop() has drained: submissions are no longer taken. */
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private readonly maxQueuedTaps: number;

  private constructor(private readonly options: WriterThreadOptions) {
    this.maxQueuedTaps = options.maxQueuedTaps ?? 20_000;
  }

  /** Starts the worker and waits until it has opened server.db (or failed to: SERVER_STORE_FAILURE). */
  static async start(options: WriterThreadOptions): Promise<WriterThread> {
    const t = new WriterThread(options);
    await t.spawn();
    return t;
  }

  submit(item: WorkItem, payload?: ValidatedPayload): void {
    if (this.stopping) {
      // Shutting down: not taken, so never acknowledged; the device keeps the taps and resends.
      this.options.log.debug('tap writer stopping: message not taken (the device resends it)');
      return;
    }
    const id = this.nextId++;
    // A message without taps (a status) counts as one: a flood of statuses is bounded too.
    const taps = Math.max(1, item.batches.reduce((n, b) => n + b.taps.length, 0));
    this.held.set(id, { taps, ...(item.onCommitted ? { onCommitted: item.onCommitted } : {}) });
    this.queuedTaps += taps;
    this.peak = Math.max(this.peak, this.queuedTaps);
    const bytes = payload ? ownBytes(payload.bytes) : null;
    const request: ItemRequest = {
      t: 'item', id, receivedAtMs: item.receivedAtMs, viaGatewayId: item.viaGatewayId,
      ...(bytes && payload ? { payload: { kind: payload.kind, bytes }, batches: [] } : { batches: item.batches }),
      ...(item.status ? { status: item.status } : {}),
      ...(item.relayed ? { relayed: item.relayed } : {}),
    };
    const transfer = bytes ? [bytes.buffer as ArrayBuffer] : [];
    if (this.worker) this.worker.postMessage(request, transfer);
    else this.waiting.push({ request, transfer });
  }

  pressure(): Promise<void> | null {
    if (this.queuedTaps < this.maxQueuedTaps) return null;
    if (this.relief === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.relief = { promise, resolve };
    }
    return this.relief.promise;
  }

  /** Taps submitted and not yet committed (or failed), now and at most since the start. */
  get queued(): { readonly taps: number; readonly peakTaps: number; readonly boundTaps: number } {
    return { taps: this.queuedTaps, peakTaps: this.peak, boundTaps: this.maxQueuedTaps };
  }

  /** Whether a worker runs, and how often one was restarted after dying. */
  get thread(): { readonly up: boolean; readonly restarts: number } {
    return { up: this.worker !== null, restarts: this.restarts };
  }

  /** Commits what was submitted (waiting for a worker that is starting). */
  async drain(): Promise<void> {
    if (this.worker === null && this.starting !== null) await this.starting.catch(() => undefined);
    const worker = this.worker;
    if (worker === null) return;
    const id = this.nextId++;
    await new Promise<void>((resolve) => {
      this.drains.set(id, resolve);
      worker.postMessage({ t: 'drain', id } satisfies WriterRequest);
    });
  }

  /** Commits what was submitted, closes the worker's connection, ends the worker. */
  stop(): Promise<void> {
    this.stopRequested = true;
    return (this.stopped ??= (async () => {
      if (this.restartTimer !== null) clearTimeout(this.restartTimer);
      await this.drain();
      this.stopping = true;
      const worker = this.worker;
      if (worker !== null) {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ t: 'stop' } satisfies WriterRequest);
        await exited;
        this.worker = null;
      }
      this.abandon('stopped');
    })());
  }

  private spawn(): Promise<void> {
    const data: WriterWorkerData = { dbPath: this.options.dbPath, options: this.options.group, logLevel: this.options.log.level };
    const worker = new Worker(workerFile(), { workerData: data });
    const starting = new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: WriterReply) => {
        if (m.t === 'ready') {
          started = true;
          this.worker = worker;
          this.upSinceMs = Date.now();
          for (const w of this.waiting) worker.postMessage(w.request, w.transfer);
          this.waiting = [];
          resolve();
        } else if (m.t === 'failed') {
          reject(new RescardError('SERVER_STORE_FAILURE', `the tap writer could not open the database: ${m.message}`, { path: this.options.dbPath }));
        } else this.onReply(m);
      });
      worker.on('error', (err) => this.options.log.error({ err }, 'tap writer thread failed'));
      worker.on('exit', (code) => {
        if (!started) return reject(new RescardError('SERVER_STORE_FAILURE', `the tap writer stopped at start (exit ${code})`, { path: this.options.dbPath }));
        if (this.worker === worker && !this.stopping) this.onCrash(code);
      });
    });
    this.starting = starting;
    return starting.finally(() => {
      if (this.starting === starting) this.starting = null;
    });
  }

  private onReply(m: WriterReply): void {
    if (m.t === 'done') {
      this.count(m.stats);
      for (const o of m.outcomes) {
        const h = this.held.get(o.id);
        if (h === undefined) continue;
        this.held.delete(o.id);
        this.release(h.taps);
        if (o.results === null) continue;
        try {
          h.onCommitted?.(o.results);
        } catch (err) {
          this.options.log.error({ err }, 'after-commit callback failed');
        }
      }
    } else if (m.t === 'drained') {
      this.count(m.stats);
      this.drains.get(m.id)?.();
      this.drains.delete(m.id);
    } else if (m.t === 'log') this.relog(m.line);
  }

  /** The running worker's counters on top of those of the workers before it. */
  private count(worker: WriterStats): void {
    for (const k of Object.keys(ZERO) as (keyof WriterStats)[]) this.stats[k] = this.base[k] + worker[k];
  }

  private release(taps: number): void {
    this.queuedTaps -= taps;
    if (this.relief !== null && this.queuedTaps <= this.maxQueuedTaps / 2) {
      this.relief.resolve();
      this.relief = null;
    }
  }

  /** Everything held is let go unacknowledged (devices resend); pending drains return. */
  private abandon(why: string): number {
    const lost = this.held.size;
    for (const h of this.held.values()) this.release(h.taps);
    this.held.clear();
    this.waiting = [];
    for (const resolve of this.drains.values()) resolve();
    this.drains.clear();
    if (lost > 0) this.options.log.warn({ unacknowledged: lost, why }, 'tap writer: messages not acknowledged (devices resend them)');
    return lost;
  }

  /** The worker is gone: what it held is not acknowledged (devices resend); start another. */
  private onCrash(code: number): void {
    this.worker = null;
    this.base = { ...this.stats };
    this.restarts += 1;
    // Backoff starts again only after a worker stayed up a minute: a crash loop keeps doubling.
    if (Date.now() - this.upSinceMs >= 60_000) this.restartDelayMs = 1000;
    const lost = this.abandon('writer thread died');
    this.options.log.error({ exitCode: code, unacknowledged: lost, restartInMs: this.restartDelayMs }, 'tap writer thread died: its messages are not acknowledged, devices resend them');
    this.restart();
  }

  private restart(): void {
    if (this.stopRequested) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(30_000, this.restartDelayMs * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopRequested) return;
      this.spawn().catch((err: unknown) => {
        this.options.log.error({ err, retryInMs: this.restartDelayMs }, 'tap writer thread did not restart');
        this.restart();
      });
    }, delay);
    this.restartTimer.unref();
  }

  /** A log line of the worker, written through this thread's logger at its level. */
  private relog(line: string): void {
    try {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
      const method = level >= 60 ? 'fatal' : level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : level >= 20 ? 'debug' : 'trace';
      this.options.log[method]({ ...fields, thread: 'writer' }, msg ?? '');
    } catch {
      this.options.log.warn({ line: line.slice(0, 200) }, 'unreadable log line from the tap writer');
    }
  }
}
