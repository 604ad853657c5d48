/**
 * SqliteOutbox: the Outbox port (ports/outbox.ts) on gateway.db. Every method that writes is one
 * IMMEDIATE transaction under synchronous=FULL: when `accept` returns, the taps survive a power
 * cut, and the caller may ack the terminal. An overflow rolls the transaction back (nothing half-
 * stored). The depth is counted once at open and then kept in memory.
 */
import type Database from 'better-sqlite3';
import type { OutboxRow } from '../../core/forward-batch.js';
import { extendHighWater, seqsToStore } from '../../core/high-water.js';
import type { AcceptResult, DeviceMark, IncomingTap, Outbox, OutboxStats, UpstreamAckResult } from '../../ports/outbox.js';
import { guard } from './store-error.js';

class Overflow extends Error {}

const EXTEND_PAGE = 1024;

export class SqliteOutbox implements Outbox {
  private depth: number;
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly capacity: number,
  ) {
    this.s = {
      insert: db.prepare<[string, number, string, number]>('INSERT OR IGNORE INTO outbox (device_id, seq, body, received_at_ms) VALUES (?, ?, ?, ?)'),
      mark: db.prepare<[string], { high_water: number }>('SELECT high_water FROM device_mark WHERE device_id = ?'),
      setMark: db.prepare<[string, number, number]>(
        'INSERT INTO device_mark (device_id, high_water, upstream_up_to) VALUES (?, ?, ?) ' +
          'ON CONFLICT (device_id) DO UPDATE SET high_water = excluded.high_water, upstream_up_to = MAX(upstream_up_to, excluded.upstream_up_to)',
      ),
      seqsAbove: db.prepare<[string, number, number], number>('SELECT seq FROM outbox WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?').pluck(),
      pending: db.prepare<[number, number], OutboxRow>(
        'SELECT id AS rowid, device_id AS deviceId, seq, body, received_at_ms AS receivedAtMs FROM outbox WHERE delivered = 0 AND id > ? ORDER BY id LIMIT ?',
      ),
      delivered: db.prepare<[number]>('UPDATE outbox SET delivered = 1 WHERE id = ?'),
      deleteUpTo: db.prepare<[string, number]>('DELETE FROM outbox WHERE device_id = ? AND seq <= ?'),
      count: db.prepare<[], number>('SELECT COUNT(*) FROM outbox').pluck(),
      undelivered: db.prepare<[], number>('SELECT COUNT(*) FROM outbox WHERE delivered = 0').pluck(),
      oldest: db.prepare<[], number>('SELECT received_at_ms FROM outbox ORDER BY id LIMIT 1').pluck(),
    };
    this.depth = guard('count', () => this.s.count.get() ?? 0);
  }

  accept(deviceId: string, taps: readonly IncomingTap[], receivedAtMs: number): AcceptResult {
    try {
      return guard('accept', () =>
        this.db
          .transaction((): AcceptResult => {
            const h = this.highWater(deviceId);
            const bodies = new Map(taps.map((t) => [t.seq, t.body]));
            let inserted = 0;
            for (const seq of seqsToStore(h, [...bodies.keys()])) inserted += this.s.insert.run(deviceId, seq, bodies.get(seq)!, receivedAtMs).changes;
            if (this.depth + inserted > this.capacity) throw new Overflow();
            const mark = this.extend(deviceId, h, 0);
            this.depth += inserted;
            return { kind: 'committed', committedUpTo: mark, inserted, duplicates: taps.length - inserted };
          })
          .immediate(),
      );
    } catch (err) {
      if (err instanceof Overflow || (err instanceof Error && err.cause instanceof Overflow)) return { kind: 'full', depth: this.depth, capacity: this.capacity };
      throw err;
    }
  }

  pending(afterRowid: number, limit: number): OutboxRow[] {
    return guard('pending', () => this.s.pending.all(afterRowid, limit));
  }

  applyUpstreamAck(committed: readonly DeviceMark[], deliveredRowids: readonly number[]): UpstreamAckResult {
    return guard('upstreamAck', () =>
      this.db
        .transaction((): UpstreamAckResult => {
          for (const id of deliveredRowids) this.s.delivered.run(id);
          const advanced: DeviceMark[] = [];
          let deleted = 0;
          for (const { deviceId, committedUpTo } of committed) {
            deleted += this.s.deleteUpTo.run(deviceId, committedUpTo).changes;
            const before = this.highWater(deviceId);
            const mark = this.extend(deviceId, Math.max(before, committedUpTo), committedUpTo);
            if (mark > before) advanced.push({ deviceId, committedUpTo: mark });
          }
          this.depth -= deleted;
          return { advanced, deleted };
        })
        .immediate(),
    );
  }

  highWater(deviceId: string): number {
    return guard('highWater', () => this.s.mark.get(deviceId)?.high_water ?? 0);
  }

  stats(): OutboxStats {
    return guard('stats', () => ({
      depth: this.depth,
      capacity: this.capacity,
      undelivered: this.s.undelivered.get() ?? 0,
      oldestReceivedAtMs: this.s.oldest.get() ?? null,
    }));
  }

  /** Raise the mark from `from` through the held seqs that follow it; store it. Inside a transaction. */
  private extend(deviceId: string, from: number, upstreamUpTo: number): number {
    let mark = from;
    for (;;) {
      const seqs = this.s.seqsAbove.all(deviceId, mark, EXTEND_PAGE);
      const next = extendHighWater(mark, seqs);
      const moved = next - mark;
      mark = next;
      if (moved < EXTEND_PAGE) break;
    }
    this.s.setMark.run(deviceId, mark, upstreamUpTo);
    return mark;
  }
}
