/**
 * TapJournal on the device database. One IMMEDIATE transaction per tap: insert the journal row
 * and the usage event, and now and then prune old usage events; synchronous=FULL makes it
 * durable when append returns.
 *
 * Sequence numbers: the next seq is max(MAX(journal.seq) + 1, the floor in device_meta.next_seq).
 * The floor is raised only by ackUpTo, in the transaction that deletes the delivered rows, so a
 * seq is never reused — after deletes, crashes or restarts — and a tap dirties no page besides
 * its own rows (the commit, an fsync of every dirty page, is most of a tap's cost: bench:decide).
 *
 * Bounds:
 * - journal: at most `capacityTaps` undelivered taps (default 100 000: ~50 days of a busy bus
 *   offline, ~60 MB). At capacity append throws JOURNAL_FULL (back-pressure, never a dropped tap).
 *   Depth is MAX(seq) - MIN(seq) + 1, both O(log n) reads: rows are only ever deleted as a
 *   prefix (ackUpTo), so the undelivered seqs are exactly [MIN(seq), MAX(seq)].
 * - usage_event: kept `usageRetentionDays` (default 40: a calendar month of quota plus margin).
 *   Each usage insert also deletes that token's expired events (same leaf page, no extra write);
 *   every `pruneEveryTaps` (4096) appends a sweep deletes the expired events of tokens that
 *   never came back (a scan of a ~40-day table, a few ms, in 1 tap of 4096). Both are skipped
 *   when the tap's clock is faulty, so a clock jumping forward cannot wipe the history the
 *   quotas depend on.
 */
import type Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { JournalStats, NewTap, NewUsage, TapJournal, TapRecord } from '../../ports/tap-journal.js';
import type { DeviceDb } from './open-device-db.js';
import { guard } from './store-error.js';
import { INSERT_TAP_SQL, tapFromRow, tapParams, type TapRow } from './tap-rows.js';
import { tokenKey } from './token-key.js';
import { INSERT_USAGE_SQL, usageParams } from './usage-rows.js';

export interface TapJournalOptions {
  readonly capacityTaps?: number;
  readonly usageRetentionDays?: number;
  readonly pruneEveryTaps?: number;
}

export const ALARM_RATIO = 0.8;
const DAY_MS = 86_400_000;

interface DepthRow {
  floor: number;
  max_seq: number | null;
  min_seq: number | null;
  oldest_wall_ms: number | null;
}

function nextSeqOf(d: DepthRow): number {
  return Math.max(d.floor, (d.max_seq ?? 0) + 1);
}

export class SqliteTapJournal implements TapJournal {
  readonly capacityTaps: number;
  private readonly retentionMs: number;
  private readonly pruneEveryTaps: number;
  private appendsSincePrune = 0;
  private readonly device: DeviceDb;
  private readonly s;
  private readonly appendTx: Database.Transaction<(tap: NewTap, usage: NewUsage | null) => TapRecord>;
  private readonly ackTx: Database.Transaction<(seq: number) => number>;

  constructor(device: DeviceDb, options: TapJournalOptions = {}) {
    this.capacityTaps = options.capacityTaps ?? 100_000;
    this.retentionMs = (options.usageRetentionDays ?? 40) * DAY_MS;
    this.pruneEveryTaps = options.pruneEveryTaps ?? 4096;
    if (!Number.isSafeInteger(this.capacityTaps) || this.capacityTaps < 1) {
      throw new RescardError('STORE_FAILURE', 'journal capacityTaps must be a positive integer', { capacityTaps: this.capacityTaps });
    }
    this.device = device;
    const db = device.db;
    this.s = {
      depth: db.prepare<[], DepthRow>(`SELECT
        (SELECT value FROM device_meta WHERE key = 'next_seq') AS floor,
        (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1) AS max_seq,
        (SELECT seq FROM journal ORDER BY seq LIMIT 1) AS min_seq,
        (SELECT wall_ms FROM journal ORDER BY seq LIMIT 1) AS oldest_wall_ms`),
      raiseFloor: db.prepare("UPDATE device_meta SET value = MAX(value, ?) WHERE key = 'next_seq'"),
      insertTap: db.prepare(INSERT_TAP_SQL),
      insertUsage: db.prepare(INSERT_USAGE_SQL),
      // The tapping token's expired events: the same leaf page the insert just dirtied.
      pruneToken: db.prepare('DELETE FROM usage_event WHERE token = ? AND wall_ms < ?'),
      // Tokens that never come back: a sweep of the whole (small, ~40 days) table now and then.
      sweep: db.prepare('DELETE FROM usage_event WHERE wall_ms < ?'),
      pending: db.prepare<[number, number], TapRow>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
      ack: db.prepare('DELETE FROM journal WHERE seq <= ?'),
    };
    this.appendTx = db.transaction((tap: NewTap, usage: NewUsage | null) => this.appendInTx(tap, usage));
    this.ackTx = db.transaction((seq: number) => this.ackInTx(seq));
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
    return guard('ackUpTo', () => this.ackTx.immediate(seq));
  }

  private ackInTx(seq: number): number {
    const d = this.readDepth();
    if (d.max_seq === null) return 0;
    const highest = Math.min(seq, d.max_seq);
    const deleted = this.s.ack.run(highest).changes;
    this.s.raiseFloor.run(highest + 1);
    return deleted;
  }

  stats(): JournalStats {
    const d = guard('stats', () => this.readDepth());
    const depth = d.min_seq === null || d.max_seq === null ? 0 : d.max_seq - d.min_seq + 1;
    return {
      depth,
      capacity: this.capacityTaps,
      alarm: depth >= this.capacityTaps * ALARM_RATIO,
      oldestWallMs: d.oldest_wall_ms,
      nextSeq: nextSeqOf(d),
    };
  }

  private readDepth(): DepthRow {
    const d = this.s.depth.get();
    if (d === undefined || typeof d.floor !== 'number') {
      throw new RescardError('STORE_FAILURE', 'device_meta.next_seq is missing or corrupt', {});
    }
    return d;
  }

  private appendInTx(tap: NewTap, usage: NewUsage | null): TapRecord {
    const d = this.readDepth();
    const seq = nextSeqOf(d);
    const depth = d.min_seq === null ? 0 : seq - d.min_seq;
    if (depth >= this.capacityTaps) {
      throw new RescardError('JOURNAL_FULL', `tap journal full: ${depth} undelivered taps (capacity ${this.capacityTaps})`, {
        depth, capacity: this.capacityTaps,
      });
    }
    this.s.insertTap.run(...tapParams(seq, tap));
    const faultyClock = tap.decision.flags.clockFault;
    if (usage !== null) {
      this.s.insertUsage.run(...usageParams(seq, tap.token, usage));
      if (!faultyClock) this.s.pruneToken.run(tokenKey(tap.token), tap.wallMs - this.retentionMs);
    }
    this.appendsSincePrune += 1;
    if (this.appendsSincePrune >= this.pruneEveryTaps && !faultyClock) {
      this.appendsSincePrune = 0;
      this.s.sweep.run(tap.wallMs - this.retentionMs);
    }
    return { ...tap, seq };
  }
}
