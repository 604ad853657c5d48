/**
 * TapJournal on the device database. One IMMEDIATE transaction per tap: read and bump next_seq
 * (device_meta), insert the journal row, insert the usage event, and now and then prune old usage
 * events; synchronous=FULL makes it durable when append returns.
 *
 * Bounds:
 * - journal: at most `capacityTaps` undelivered taps (default 100 000: ~50 days of a busy bus
 *   offline, ~60 MB). At capacity append throws JOURNAL_FULL (back-pressure, never a dropped tap).
 *   Depth is next_seq - MIN(seq), both O(1)-ish: rows are only ever deleted as a prefix (ackUpTo),
 *   so the undelivered seqs are exactly [MIN(seq), next_seq).
 * - usage_event: kept `usageRetentionDays` (default 40: a calendar month of quota plus margin).
 *   Every `pruneEveryTaps` appends, the oldest `pruneBatch` events (by seq) are looked at and the
 *   expired ones deleted, in the same transaction: 2x the insert rate, so it keeps up, with
 *   bounded work per tap. Skipped when the tap's clock is faulty, so a clock jumping forward
 *   cannot wipe the history the quotas depend on.
 */
import type Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { JournalStats, NewTap, NewUsage, TapJournal, TapRecord } from '../../ports/tap-journal.js';
import type { DeviceDb } from './open-device-db.js';
import { guard } from './store-error.js';
import { INSERT_TAP_SQL, tapFromRow, tapParams, type TapRow } from './tap-rows.js';
import { INSERT_USAGE_SQL, usageParams } from './usage-rows.js';

export interface TapJournalOptions {
  readonly capacityTaps?: number;
  readonly usageRetentionDays?: number;
  readonly pruneEveryTaps?: number;
  readonly pruneBatch?: number;
}

export const ALARM_RATIO = 0.8;
const DAY_MS = 86_400_000;

interface DepthRow {
  next_seq: number;
  min_seq: number | null;
  oldest_wall_ms: number | null;
}

export class SqliteTapJournal implements TapJournal {
  readonly capacityTaps: number;
  private readonly retentionMs: number;
  private readonly pruneEveryTaps: number;
  private readonly pruneBatch: number;
  private appendsSincePrune = 0;
  private readonly device: DeviceDb;
  private readonly s;
  private readonly appendTx: Database.Transaction<(tap: NewTap, usage: NewUsage | null) => TapRecord>;

  constructor(device: DeviceDb, options: TapJournalOptions = {}) {
    this.capacityTaps = options.capacityTaps ?? 100_000;
    this.retentionMs = (options.usageRetentionDays ?? 40) * DAY_MS;
    this.pruneEveryTaps = options.pruneEveryTaps ?? 128;
    this.pruneBatch = options.pruneBatch ?? 256;
    if (!Number.isSafeInteger(this.capacityTaps) || this.capacityTaps < 1) {
      throw new RescardError('STORE_FAILURE', 'journal capacityTaps must be a positive integer', { capacityTaps: this.capacityTaps });
    }
    this.device = device;
    const db = device.db;
    this.s = {
      depth: db.prepare<[], DepthRow>(`SELECT
        (SELECT value FROM device_meta WHERE key = 'next_seq') AS next_seq,
        (SELECT seq FROM journal ORDER BY seq LIMIT 1) AS min_seq,
        (SELECT wall_ms FROM journal ORDER BY seq LIMIT 1) AS oldest_wall_ms`),
      bumpSeq: db.prepare("UPDATE device_meta SET value = value + 1 WHERE key = 'next_seq'"),
      insertTap: db.prepare(INSERT_TAP_SQL),
      insertUsage: db.prepare(INSERT_USAGE_SQL),
      // Looks at the oldest `pruneBatch` events only (bounded work even when none has expired).
      prune: db.prepare(`DELETE FROM usage_event WHERE seq IN
        (SELECT seq FROM (SELECT seq, wall_ms FROM usage_event ORDER BY seq LIMIT ?) WHERE wall_ms < ?)`),
      pending: db.prepare<[number, number], TapRow>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
      ack: db.prepare('DELETE FROM journal WHERE seq <= ?'),
    };
    this.appendTx = db.transaction((tap: NewTap, usage: NewUsage | null) => this.appendInTx(tap, usage));
  }

  append(tap: NewTap, usage: NewUsage | null): TapRecord {
    const record = guard('append', () => this.appendTx.immediate(tap, usage));
    this.device.noteWrite();
    return record;
  }

  pending(limit: number, afterSeq = 0): TapRecord[] {
    if (limit <= 0) return [];
    return guard('pending', () => this.s.pending.all(afterSeq, Math.trunc(limit)).map(tapFromRow));
  }

  ackUpTo(seq: number): number {
    return guard('ackUpTo', () => this.s.ack.run(seq).changes);
  }

  stats(): JournalStats {
    const d = guard('stats', () => this.readDepth());
    const depth = d.min_seq === null ? 0 : d.next_seq - d.min_seq;
    return {
      depth,
      capacity: this.capacityTaps,
      alarm: depth >= this.capacityTaps * ALARM_RATIO,
      oldestWallMs: d.oldest_wall_ms,
      nextSeq: d.next_seq,
    };
  }

  private readDepth(): DepthRow {
    const d = this.s.depth.get();
    if (d === undefined || typeof d.next_seq !== 'number') {
      throw new RescardError('STORE_FAILURE', 'device_meta.next_seq is missing or corrupt', {});
    }
    return d;
  }

  private appendInTx(tap: NewTap, usage: NewUsage | null): TapRecord {
    const { next_seq: seq, min_seq: minSeq } = this.readDepth();
    const depth = minSeq === null ? 0 : seq - minSeq;
    if (depth >= this.capacityTaps) {
      throw new RescardError('JOURNAL_FULL', `tap journal full: ${depth} undelivered taps (capacity ${this.capacityTaps})`, {
        depth, capacity: this.capacityTaps,
      });
    }
    this.s.bumpSeq.run();
    this.s.insertTap.run(...tapParams(seq, tap));
    if (usage !== null) this.s.insertUsage.run(...usageParams(seq, tap.token, usage));
    this.appendsSincePrune += 1;
    if (this.appendsSincePrune >= this.pruneEveryTaps && !tap.decision.flags.clockFault) {
      this.appendsSincePrune = 0;
      this.s.prune.run(this.pruneBatch, tap.wallMs - this.retentionMs);
    }
    return { ...tap, seq };
  }
}
