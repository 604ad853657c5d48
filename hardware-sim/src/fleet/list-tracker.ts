/**
 * The list versions a simulated terminal holds. A load tool, not a device: it does NOT verify
 * signatures, manifests or files (the terminal's lists-apply/lists-fetch do that; their tests
 * cover forged and rolled-back lists). "Applying" an announcement here means:
 *   - an inline delta on exactly the held version: read it, take the new version;
 *   - otherwise (first version, other base, no inline): with a snapshot fetcher, download the
 *     snapshot (bytes only, unverified), then take the version; without one, take it at once.
 * Older or equal versions are ignored. Announcements are decoded with decodePayload; a bad one is
 * counted by reason and changes nothing.
 */
import { decodePayload, listAnnounceSchema, RejectCounter, type ListAnnounce, type ProtocolListName } from '@rescard/shared';

export type SnapshotFetcher = (url: string) => Promise<void>;

export interface ListTrackerCounters {
  announces: number;
  deltasApplied: number;
  snapshotsTaken: number;
  fetchFailures: number;
}

export class ListTracker {
  readonly rejects = new RejectCounter();
  readonly counters: ListTrackerCounters = { announces: 0, deltasApplied: 0, snapshotsTaken: 0, fetchFailures: 0 };
  private readonly versions: Partial<Record<ProtocolListName, number>> = {};
  private readonly appliedAtMs: Partial<Record<ProtocolListName, number>> = {};
  // At most one fetch per list at a time, plus the newest announcement waiting behind it
  // (bounded: one slot per list; a newer announcement replaces an older waiting one).
  private readonly fetching = new Set<ProtocolListName>();
  private readonly waiting = new Map<ProtocolListName, ListAnnounce>();

  constructor(
    private readonly audience: string,
    private readonly onApplied: (list: ProtocolListName, version: number) => void,
    private readonly now: () => number,
    private readonly fetchSnapshot?: SnapshotFetcher,
  ) {}

  held(): Partial<Record<ProtocolListName, number>> {
    return { ...this.versions };
  }

  /** For heartbeats: version and age of what is held. */
  states(): Partial<Record<ProtocolListName, { version: number; ageMs: number | null; stale: boolean }>> {
    const out: Partial<Record<ProtocolListName, { version: number; ageMs: number | null; stale: boolean }>> = {};
    for (const [list, version] of Object.entries(this.versions) as [ProtocolListName, number][]) {
      const at = this.appliedAtMs[list];
      out[list] = { version, ageMs: at === undefined ? null : Math.max(0, this.now() - at), stale: false };
    }
    return out;
  }

  onAnnounce(list: ProtocolListName, payload: Buffer): void {
    const decoded = decodePayload(listAnnounceSchema, payload);
    if (!decoded.ok) return this.rejects.add('listAnnounce', decoded.reason);
    const msg = decoded.value;
    if (msg.list !== list || msg.audience !== this.audience) return this.rejects.add('listAnnounce', 'schema');
    this.counters.announces += 1;
    this.consider(msg);
  }

  private consider(msg: ListAnnounce): void {
    const held = this.versions[msg.list] ?? 0;
    if (msg.version <= held) return;
    if (msg.delta?.inline !== undefined && msg.delta.baseVersion === held) {
      this.counters.deltasApplied += 1;
      return this.apply(msg.list, msg.version);
    }
    if (this.fetchSnapshot === undefined) {
      this.counters.snapshotsTaken += 1;
      return this.apply(msg.list, msg.version);
    }
    if (this.fetching.has(msg.list)) {
      this.waiting.set(msg.list, msg);
      return;
    }
    this.fetching.add(msg.list);
    this.fetchSnapshot(msg.snapshotUrl).then(
      () => {
        this.counters.snapshotsTaken += 1;
        if (msg.version > (this.versions[msg.list] ?? 0)) this.apply(msg.list, msg.version);
      },
      () => {
        this.counters.fetchFailures += 1;
      },
    ).finally(() => {
      this.fetching.delete(msg.list);
      const next = this.waiting.get(msg.list);
      this.waiting.delete(msg.list);
      if (next) this.consider(next);
    });
  }

  private apply(list: ProtocolListName, version: number): void {
    this.versions[list] = version;
    this.appliedAtMs[list] = this.now();
    this.onApplied(list, version);
  }
}
