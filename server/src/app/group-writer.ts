/**
 * Group commit: messages that arrive close together are written in one transaction (one fsync),
 * and each message's callback runs only AFTER that commit returned (the application-level ack
 * follows from it; an MQTT PUBACK, which aedes sends before it hands us the message, does not).
 *
 * A group is flushed when it holds `maxGroupTaps` taps (synchronously), or `maxDelayMs` after its
 * first message (0: at the next turn of the event loop, so a group is what arrived meanwhile).
 * Pending work is thus bounded by maxGroupTaps plus one message. In this thread (unit tests,
 * in-memory stores) the event loop reads no socket while SQLite commits: that is the
 * back-pressure. The server on a data folder runs it in a worker thread (WriterThread), where
 * the next group is what arrived during the last commit, and the bound is WriterThread's.
 *
 * A failed commit acknowledges nothing: the devices keep their taps and resend them. A group of
 * several messages that fails is retried one message per transaction, so one poisoned message
 * cannot block the others.
 */
import type { Logger } from 'pino';
import { applySeqs, committedUpTo, type SeqState } from '../core/seq-state.js';
import { isLate } from '../core/tap-checks.js';
import type { IngestStore } from '../ports/ingest-store.js';
import type { DeviceResult, IngestWriter, WorkItem, WriterStats } from '../ports/ingest-writer.js';
import { SeqCache } from './seq-cache.js';

export type { DeviceResult, DeviceTaps, WorkItem, WriterStats } from '../ports/ingest-writer.js';

export interface GroupWriterOptions {
  readonly maxGroupTaps: number;
  readonly maxDelayMs: number;
  readonly lateAfterMs: number;
  readonly now: () => number;
}

export class GroupWriter implements IngestWriter {
  readonly stats: WriterStats = { messages: 0, taps: 0, inserted: 0, duplicates: 0, conflicts: 0, commits: 0, commitFailures: 0 };
  private pending: WorkItem[] = [];
  private pendingTaps = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly cache = new SeqCache();

  constructor(
    private readonly store: IngestStore,
    private readonly options: GroupWriterOptions,
    private readonly log: Logger,
  ) {}

  submit(item: WorkItem): void {
    this.pending.push(item);
    for (const b of item.batches) this.pendingTaps += b.taps.length;
    if (this.pendingTaps >= this.options.maxGroupTaps) this.flush();
    else if (this.timer === null) {
      this.timer = this.options.maxDelayMs > 0 ? setTimeout(() => this.flush(), this.options.maxDelayMs) : setImmediate(() => this.flush());
    }
  }

  /** Commit everything pending now (also at shutdown). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    const items = this.pending;
    this.pending = [];
    this.pendingTaps = 0;
    if (items.length === 0) return;
    if (this.commitGroup(items) || items.length === 1) return;
    for (const item of items) this.commitGroup([item]);
  }

  /** Never full: a group is committed synchronously once it holds maxGroupTaps. */
  pressure(): null {
    return null;
  }

  drain(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }

  /** True when committed (and the callbacks ran). */
  private commitGroup(items: readonly WorkItem[]): boolean {
    const now = this.options.now();
    const next = new Map<string, SeqState>();
    const counts = { taps: 0, inserted: 0, duplicates: 0, conflicts: 0 };
    let results: DeviceResult[][];
    try {
      results = this.store.transaction(() => this.write(items, now, next, counts));
    } catch (err) {
      for (const id of next.keys()) this.cache.delete(id);
      this.stats.commitFailures += 1;
      this.log.error({ err, messages: items.length }, 'group commit failed: nothing acknowledged, devices will resend');
      if (items.length === 1) items[0]!.onFailed?.();
      return false;
    }
    this.stats.commits += 1;
    this.stats.messages += items.length;
    this.stats.taps += counts.taps;
    this.stats.inserted += counts.inserted;
    this.stats.duplicates += counts.duplicates;
    this.stats.conflicts += counts.conflicts;
    for (const [id, s] of next) this.cache.set(id, s);
    items.forEach((item, i) => {
      const r = results[i]!.map((x) => ({ ...x, committedUpTo: committedUpTo(next.get(x.deviceId)!) }));
      try {
        item.onCommitted?.(r);
      } catch (err) {
        this.log.error({ err }, 'after-commit callback failed');
      }
    });
    return true;
  }

  /** Inside the transaction: inserts, sequence state, statuses. Returns duplicates per batch. */
  private write(items: readonly WorkItem[], now: number, next: Map<string, SeqState>, counts: Omit<WriterStats, 'messages' | 'commits' | 'commitFailures'>): DeviceResult[][] {
    const fresh = new Map<string, number[]>();
    const out = items.map((item) =>
      item.batches.map((b) => {
        let duplicates = 0;
        const seqs = fresh.get(b.deviceId) ?? [];
        fresh.set(b.deviceId, seqs);
        for (const tap of b.taps) {
          const late = isLate(tap.wallMs, item.receivedAtMs, this.options.lateAfterMs);
          if (this.store.insertTap({ deviceId: b.deviceId, tap, receivedAtMs: item.receivedAtMs, late, batchId: b.batchId, viaGatewayId: item.viaGatewayId })) {
            seqs.push(tap.seq);
          } else {
            duplicates += 1;
            if (this.store.storedTapId(b.deviceId, tap.seq) !== tap.tapId) {
              counts.conflicts += 1;
              this.log.warn({ deviceId: b.deviceId, seq: tap.seq, tapId: tap.tapId }, 'seq reused with another tapId: kept the first');
            }
          }
        }
        counts.taps += b.taps.length;
        counts.duplicates += duplicates;
        return { deviceId: b.deviceId, committedUpTo: 0, duplicates };
      }),
    );
    for (const [deviceId, seqs] of fresh) {
      const before = this.cache.get(deviceId) ?? this.store.loadSeqState(deviceId);
      const { state, changes } = applySeqs(before, seqs, now);
      if (seqs.length > 0) this.store.saveSeqState(deviceId, state, changes, now);
      counts.inserted += seqs.length;
      next.set(deviceId, state);
    }
    for (const item of items) {
      if (item.status) this.store.saveStatus(item.status, item.receivedAtMs);
      for (const r of item.relayed?.statuses ?? []) this.store.saveStatus(r.status, r.receivedAtMs, item.relayed!.gatewayId);
    }
    return out;
  }
}
