/** FakeOutbox: the Outbox contract in memory (instant, not durable). For tests of the app layer. */
import type { OutboxRow } from '../core/forward-batch.js';
import { extendHighWater, seqsToStore } from '../core/high-water.js';
import type { AcceptResult, DeviceMark, IncomingTap, Outbox, OutboxStats, UpstreamAckResult } from './outbox.js';

interface FakeRow extends OutboxRow {
  delivered: boolean;
}

export class FakeOutbox implements Outbox {
  private readonly rows = new Map<number, FakeRow>();
  private readonly marks = new Map<string, number>();
  private nextRowid = 1;

  constructor(private readonly capacity: number) {}

  accept(deviceId: string, taps: readonly IncomingTap[], receivedAtMs: number): AcceptResult {
    const h = this.highWater(deviceId);
    const held = new Set(this.deviceRows(deviceId).map((r) => r.seq));
    const fresh = seqsToStore(h, taps.map((t) => t.seq)).filter((s) => !held.has(s));
    if (this.rows.size + fresh.length > this.capacity) return { kind: 'full', depth: this.rows.size, capacity: this.capacity };
    for (const seq of fresh) {
      const body = taps.find((t) => t.seq === seq)!.body;
      const rowid = this.nextRowid++;
      this.rows.set(rowid, { rowid, deviceId, seq, body, receivedAtMs, delivered: false });
    }
    const mark = this.extend(deviceId, h);
    return { kind: 'committed', committedUpTo: mark, inserted: fresh.length, duplicates: taps.length - fresh.length };
  }

  pending(afterRowid: number, limit: number): OutboxRow[] {
    return [...this.rows.values()]
      .filter((r) => !r.delivered && r.rowid > afterRowid)
      .slice(0, limit)
      .map(({ delivered: _d, ...row }) => row);
  }

  applyUpstreamAck(committed: readonly DeviceMark[], deliveredRowids: readonly number[]): UpstreamAckResult {
    for (const id of deliveredRowids) {
      const r = this.rows.get(id);
      if (r) r.delivered = true;
    }
    const advanced: DeviceMark[] = [];
    let deleted = 0;
    for (const { deviceId, committedUpTo } of committed) {
      for (const r of this.deviceRows(deviceId)) {
        if (r.seq <= committedUpTo && this.rows.delete(r.rowid)) deleted += 1;
      }
      const before = this.highWater(deviceId);
      const mark = this.extend(deviceId, Math.max(before, committedUpTo));
      if (mark > before) advanced.push({ deviceId, committedUpTo: mark });
    }
    return { advanced, deleted };
  }

  highWater(deviceId: string): number {
    return this.marks.get(deviceId) ?? 0;
  }

  stats(): OutboxStats {
    const all = [...this.rows.values()];
    return {
      depth: all.length,
      capacity: this.capacity,
      undelivered: all.filter((r) => !r.delivered).length,
      oldestReceivedAtMs: all[0]?.receivedAtMs ?? null,
    };
  }

  private deviceRows(deviceId: string): FakeRow[] {
    return [...this.rows.values()].filter((r) => r.deviceId === deviceId);
  }

  private extend(deviceId: string, from: number): number {
    const mark = extendHighWater(from, this.deviceRows(deviceId).map((r) => r.seq).sort((a, b) => a - b));
    this.marks.set(deviceId, mark);
    return mark;
  }
}
