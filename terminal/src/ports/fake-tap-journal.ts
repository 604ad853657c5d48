/**
 * FakeTapJournal: TapJournal in memory, same semantics as SqliteTapJournal (shared contract
 * tests in adapters/sqlite/tap-journal.contract.ts): seq never reused, capacity back-pressure
 * (JOURNAL_FULL), alarm at 80%, usage events handed to a UsageSink (a FakeListStore) and pruned
 * after `usageRetentionDays` unless the tap's clock is faulty. "Durable" means: for the life of
 * this object.
 */
import { RescardError } from '@rescard/shared';
import type { UsageSink } from './fake-list-store.js';
import type { JournalStats, NewTap, NewUsage, TapJournal, TapRecord } from './tap-journal.js';

export interface FakeTapJournalOptions {
  readonly capacityTaps?: number;
  readonly usageRetentionDays?: number;
  readonly usage?: UsageSink;
}

const DAY_MS = 86_400_000;

export class FakeTapJournal implements TapJournal {
  readonly capacityTaps: number;
  private readonly retentionMs: number;
  private readonly usage: UsageSink | undefined;
  private rows: TapRecord[] = [];
  private nextSeq = 1;

  constructor(options: FakeTapJournalOptions = {}) {
    this.capacityTaps = options.capacityTaps ?? 100_000;
    this.retentionMs = (options.usageRetentionDays ?? 40) * DAY_MS;
    this.usage = options.usage;
  }

  append(tap: NewTap, usage: NewUsage | null): TapRecord {
    if (this.rows.length >= this.capacityTaps) {
      throw new RescardError('JOURNAL_FULL', `tap journal full: ${this.rows.length} undelivered taps`, {
        depth: this.rows.length, capacity: this.capacityTaps,
      });
    }
    const record: TapRecord = { ...tap, seq: this.nextSeq };
    this.nextSeq += 1;
    this.rows.push(record);
    if (usage !== null) this.usage?.recordUsage(tap.token, { ...usage, seq: record.seq });
    if (!tap.decision.flags.clockFault) this.usage?.pruneUsage(tap.wallMs - this.retentionMs);
    return record;
  }

  pending(limit: number, afterSeq = 0): TapRecord[] {
    if (limit <= 0) return [];
    return this.rows.filter((r) => r.seq > afterSeq).slice(0, Math.trunc(limit));
  }

  ackUpTo(seq: number): number {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => r.seq > seq);
    return before - this.rows.length;
  }

  stats(): JournalStats {
    const depth = this.rows.length;
    return {
      depth,
      capacity: this.capacityTaps,
      alarm: depth >= this.capacityTaps * 0.8,
      oldestWallMs: this.rows[0]?.wallMs ?? null,
      nextSeq: this.nextSeq,
    };
  }
}
