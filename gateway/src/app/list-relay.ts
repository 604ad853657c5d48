/**
 * List relay (ADR 0005): upstream list announcements and freshness of the configured audiences
 * are cached and re-published, retained, on the local broker. An announcement is re-published
 * only once its files are in the cache (so a terminal never gets a URL the gateway cannot serve);
 * freshness is relayed at once. Both are stored in gateway.db and re-published at every start, so
 * terminals get their lists while the server is unreachable. Nothing is verified here beyond the
 * schema, the topic and the file names: terminals verify signatures, versions and audiences.
 *
 * Work is serialised per topic; only the newest waiting announcement is kept (bound: one per
 * topic). Fetch failures retry with backoff (retryMs … 16 × retryMs) until a newer one arrives.
 * Every `refreshMs` the current files are fetched again: the server re-signs files in place
 * (ADR 0004 §7) and a terminal fetching from the gateway must get the fresh expiry.
 */
import { audienceFits, decodePayload, encodePayload, freshnessSchema, listAnnounceSchema, parseTopic, type ListAnnounce } from '@rescard/shared';
import type { Logger } from 'pino';
import type { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import { fetchIntoCache, fileVersion, parseListFileUrl, pruneListDir, type FetchOptions, type ListFileRef } from './list-file-cache.js';
import type { Rejects } from './rejects.js';

export interface ListRelayDeps {
  readonly audiences: readonly string[];
  readonly cacheRoot: string;
  readonly fetch: FetchOptions;
  readonly state: SqliteRelayState;
  readonly publishLocal: (topic: string, payload: Buffer) => Promise<void>;
  readonly rejects: Rejects;
  readonly now: () => number;
  readonly log: Logger;
  readonly retryMs: number;
  readonly refreshMs: number;
}

interface TopicQueue {
  next: ListAnnounce | null;
  running: boolean;
  retry: NodeJS.Timeout | null;
  backoffMs: number;
}

export class ListRelay {
  readonly counts = { announcementsRelayed: 0, freshnessRelayed: 0, filesFetched: 0, fetchFailures: 0 };
  private readonly queues = new Map<string, TopicQueue>();
  private readonly log: Logger;
  private refresh: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: ListRelayDeps) {
    this.log = deps.log.child({ module: 'list-relay' });
  }

  /** Re-publish everything stored (the local broker forgot it), then refresh periodically. */
  async start(): Promise<void> {
    for (const m of this.deps.state.allRetained()) await this.deps.publishLocal(m.topic, m.payload);
    this.refresh = setInterval(() => this.refreshAll(), this.deps.refreshMs);
    this.refresh.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.refresh) clearInterval(this.refresh);
    for (const q of this.queues.values()) if (q.retry) clearTimeout(q.retry);
  }

  readonly onMessage = (topic: string, payload: Buffer): void => {
    const t = parseTopic(topic);
    if (t?.kind === 'freshness') {
      const d = decodePayload(freshnessSchema, payload);
      if (!d.ok) return this.deps.rejects.add('freshness', d.reason, { topic, detail: d.detail });
      if (d.value.audience !== t.audience || !this.deps.audiences.includes(t.audience)) return this.deps.rejects.add('freshness', 'audience', { topic });
      this.deps.state.putRetained(topic, payload, this.deps.now());
      this.counts.freshnessRelayed += 1;
      this.deps.publishLocal(topic, payload).catch((err: unknown) => this.log.warn({ err, topic }, 'freshness relay failed'));
    } else if (t?.kind === 'list') {
      const d = decodePayload(listAnnounceSchema, payload);
      if (!d.ok) return this.deps.rejects.add('announce', d.reason, { topic, detail: d.detail });
      const a = d.value;
      if (a.list !== t.list || a.audience !== t.audience) return this.deps.rejects.add('announce', 'topic-mismatch', { topic });
      if (!this.deps.audiences.includes(a.audience) || !audienceFits(a.list, a.audience)) return this.deps.rejects.add('announce', 'audience', { topic });
      const held = this.heldVersion(topic);
      if (a.version < held) return this.deps.rejects.add('announce', 'older', { topic, version: a.version, held });
      this.enqueue(topic, a);
    } else if (t?.kind !== 'gatewayAck') {
      this.deps.rejects.add('upstream', 'topic', { topic });
    }
  };

  /** The announcement held for `topic` (for /health and the heartbeat), or null. */
  held(topic: string): ListAnnounce | null {
    const raw = this.deps.state.getRetained(topic);
    if (raw === null) return null;
    const d = decodePayload(listAnnounceSchema, raw);
    return d.ok ? d.value : null;
  }

  private heldVersion(topic: string): number {
    return this.held(topic)?.version ?? 0;
  }

  private refreshAll(): void {
    for (const m of this.deps.state.allRetained()) {
      const t = parseTopic(m.topic);
      const a = t?.kind === 'list' ? this.held(m.topic) : null;
      if (a) this.enqueue(m.topic, a);
    }
  }

  private enqueue(topic: string, a: ListAnnounce): void {
    if (this.stopped) return;
    const q = this.queues.get(topic) ?? { next: null, running: false, retry: null, backoffMs: this.deps.retryMs };
    this.queues.set(topic, q);
    if (q.next === null || q.next.version <= a.version) q.next = a;
    if (q.retry) clearTimeout(q.retry);
    q.retry = null;
    if (!q.running) void this.drain(topic, q);
  }

  private async drain(topic: string, q: TopicQueue): Promise<void> {
    q.running = true;
    try {
      for (let a = q.next; a !== null && !this.stopped; a = q.next) {
        q.next = null;
        const ok = await this.cacheAndRelay(topic, a);
        if (ok) q.backoffMs = this.deps.retryMs;
        else if (q.next === null) {
          q.retry = setTimeout(() => this.enqueue(topic, a), q.backoffMs);
          q.retry.unref();
          q.backoffMs = Math.min(q.backoffMs * 2, this.deps.retryMs * 16);
        }
      }
    } finally {
      q.running = false;
    }
  }

  private async cacheAndRelay(topic: string, a: ListAnnounce): Promise<boolean> {
    const snapshot = parseListFileUrl(a.snapshotUrl);
    const delta = a.delta ? parseListFileUrl(a.delta.url) : null;
    const ours = (r: ListFileRef | null): r is ListFileRef => r !== null && r.audience === a.audience && r.list === a.list;
    const fits = (r: ListFileRef | null): r is ListFileRef => ours(r) && fileVersion(r.file) === a.version;
    // Delta first (ADR 0004): a new version is announced at once with the newest snapshot already
    // built (older than the version) and the delta; a second announcement names its own snapshot.
    const snapshotFits = ours(snapshot) && fileVersion(snapshot.file) >= 1 && fileVersion(snapshot.file) <= a.version;
    if (!snapshotFits) {
      this.deps.rejects.add('announce', 'url', { topic, url: a.snapshotUrl.slice(0, 200) });
      return true;
    }
    let relayed: ListAnnounce = a;
    try {
      await fetchIntoCache(this.deps.cacheRoot, snapshot, this.deps.fetch);
      this.counts.filesFetched += 1;
    } catch (err) {
      this.counts.fetchFailures += 1;
      this.log.warn({ err: err instanceof Error ? err.message : String(err), topic, version: a.version }, 'list file fetch failed: retrying');
      return false;
    }
    if (a.delta) {
      const ok = fits(delta) && (await fetchIntoCache(this.deps.cacheRoot, delta, this.deps.fetch).then(() => true, () => false));
      // Without its delta file a terminal still has the inline delta (if any) or the snapshot.
      if (!ok && a.delta.inline === undefined) {
        const { delta: _dropped, ...snapshotOnly } = a;
        relayed = snapshotOnly;
      }
      if (!ok) this.counts.fetchFailures += 1;
    }
    const prev = this.heldVersion(topic);
    const payload = encodePayload(relayed);
    this.deps.state.putRetained(topic, payload, this.deps.now());
    await this.deps.publishLocal(topic, payload);
    this.counts.announcementsRelayed += 1;
    this.log.info({ topic, version: a.version }, 'list relayed');
    await pruneListDir(this.deps.cacheRoot, a.audience, a.list, new Set([a.version, fileVersion(snapshot.file), prev]));
    return true;
  }
}
