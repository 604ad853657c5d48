/**
 * FakeListStore: ListStore in memory, instant, same semantics as SqliteListStore (the shared
 * contract tests in adapters/sqlite/list-store.contract.ts run against both): rollback and
 * base-mismatch refused, nothing half-applied, meta().count = rows actually held.
 * Usage events arrive through recordUsage (FakeTapJournal calls it, as the SQLite journal writes
 * the same database).
 */
import { RescardError } from '@rescard/shared';
import { checkListEntry, checkListMeta } from '../adapters/sqlite/list-entry-check.js';
import type { ListEntry, ListMeta, ListName, UsageEvent } from '../core/model.js';
import type { CompactLimits, ListDelta, ListStore, SwapSteps } from './list-store.js';

interface FakeList {
  readonly meta: ListMeta;
  readonly entries: Map<string, ListEntry>;
}

/** Where a journal records usage events (FakeListStore implements it). */
export interface UsageSink {
  recordUsage(token: string, event: UsageEvent): void;
  /** Forget events with wallMs before `beforeWallMs`. */
  pruneUsage(beforeWallMs: number): void;
}

export class FakeListStore implements ListStore, UsageSink {
  private readonly lists = new Map<ListName, FakeList>();
  /** Per token, oldest first. */
  private readonly usage = new Map<string, UsageEvent[]>();

  lookup(tokens: readonly string[], lists: readonly ListName[]): ListEntry[] {
    const out: ListEntry[] = [];
    for (const list of new Set(lists)) {
      for (const token of new Set(tokens)) {
        const e = this.lists.get(list)?.entries.get(token);
        if (e !== undefined) out.push(e);
      }
    }
    return out;
  }

  history(token: string, sinceWallMs: number, limit: number): UsageEvent[] {
    if (limit <= 0) return [];
    const events = (this.usage.get(token) ?? []).filter((e) => e.wallMs > sinceWallMs);
    return events.reverse().slice(0, Math.trunc(limit));
  }

  meta(): ListMeta[] {
    return [...this.lists.values()].map((l) => l.meta).sort((a, b) => a.list.localeCompare(b.list));
  }

  replaceList(meta: ListMeta, entries: Iterable<ListEntry>): void {
    checkListMeta(meta);
    this.refuseRollback(meta);
    const next = new Map<string, ListEntry>();
    let index = 0;
    try {
      for (const e of entries) {
        checkListEntry(e, meta.list, index);
        if (next.has(e.token)) {
          throw new RescardError('LIST_FILE_INVALID', `list ${meta.list}: the snapshot has a token twice`, { list: meta.list });
        }
        next.set(e.token, e);
        index += 1;
      }
    } catch (err) {
      if (err instanceof RescardError) throw err;
      throw new RescardError('LIST_FILE_INVALID', `reading list ${meta.list} entry #${index} failed`, { list: meta.list }, { cause: err });
    }
    this.lists.set(meta.list, { meta: { ...meta, count: next.size }, entries: next });
  }

  async replaceListInSteps(meta: ListMeta, entries: Iterable<ListEntry>, steps: SwapSteps): Promise<void> {
    await steps.between();
    this.replaceList(meta, entries); // in memory a swap is instant: one step
  }

  compact(_limits: CompactLimits): number {
    return 0; // deltas and snapshots are applied in place
  }

  applyDelta(delta: ListDelta): void {
    const { meta } = delta;
    checkListMeta(meta);
    const current = this.lists.get(meta.list);
    if (current?.meta.version !== delta.baseVersion) {
      throw new RescardError('LIST_BASE_MISMATCH', `list ${meta.list}: delta for base v${delta.baseVersion}`, {
        list: meta.list, baseVersion: delta.baseVersion, currentVersion: current?.meta.version ?? null,
      });
    }
    this.refuseRollback(meta);
    const next = new Map(current.entries); // copy-on-write: a bad upsert leaves `current` untouched
    for (const token of delta.deletes) next.delete(token);
    delta.upserts.forEach((e, i) => {
      checkListEntry(e, meta.list, i);
      next.set(e.token, e);
    });
    this.lists.set(meta.list, { meta: { ...meta, count: next.size }, entries: next });
  }

  extendFreshness(list: ListName, version: number, expiresAtMs: number): boolean {
    const current = this.lists.get(list);
    if (current?.meta.version !== version || !(expiresAtMs > current.meta.expiresAtMs)) return false;
    this.lists.set(list, { ...current, meta: { ...current.meta, expiresAtMs } });
    return true;
  }

  recordUsage(token: string, event: UsageEvent): void {
    const events = this.usage.get(token) ?? [];
    events.push(event);
    this.usage.set(token, events);
  }

  pruneUsage(beforeWallMs: number): void {
    for (const [token, events] of this.usage) {
      const kept = events.filter((e) => e.wallMs >= beforeWallMs);
      if (kept.length === 0) this.usage.delete(token);
      else this.usage.set(token, kept);
    }
  }

  private refuseRollback(meta: ListMeta): void {
    const current = this.lists.get(meta.list)?.meta.version;
    if (current !== undefined && meta.version <= current) {
      throw new RescardError('LIST_VERSION_ROLLBACK', `list ${meta.list}: v${meta.version} is not newer than v${current}`, {
        list: meta.list, version: meta.version, currentVersion: current,
      });
    }
  }
}
