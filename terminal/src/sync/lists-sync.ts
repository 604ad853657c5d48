/**
 * The device's list sync client (ADR 0004). Subscribes to the retained announcement of every list
 * the device keeps, for each of its audiences (bus: region; gate/canteen: region + school:<id>),
 * and to each audience's freshness. An announcement newer than the version held is applied by
 * lists-apply.ts (inline delta, delta file, snapshot); freshness by lists-freshness.ts.
 *
 * Work is serialised per list. Pending announcements per list are bounded (MAX_PENDING, oldest
 * dropped: the newest always carries a snapshot URL, so dropping costs at most one snapshot
 * fetch). An announcement may name a snapshot older than its version (the server announces a
 * change with its delta first): a device it cannot bring all the way counts 'behind' and waits
 * for the announcement that names the new snapshot (same version, retained). A bad message is counted by reason and logged, never thrown: the bus handler cannot
 * crash the device. Network failures are retried with backoff (retryMs .. 16 × retryMs) until a
 * newer announcement arrives; refused (forged, expired…) files are not retried.
 */
import { audienceFits, decodePayload, freshnessSchema, listAnnounceSchema, parseTopic, topics, type ListAnnounce } from '@rescard/shared';
import type { Logger } from 'pino';
import type { ListMeta, ListName } from '../core/model.js';
import type { MessageBus } from '../ports/message-bus.js';
import { applyAnnouncement, type ApplyContext, type ApplyStep } from './lists-apply.js';
import { FreshnessTracker } from './lists-freshness.js';

export interface ListSyncDeps {
  readonly bus: MessageBus;
  readonly load: ApplyContext['load'];
  /** The device's audiences, e.g. listAudiences('gate', 'S1'). */
  readonly audiences: readonly string[];
  /** The lists this device keeps (PROFILE_LISTS[profile]). */
  readonly lists: readonly ListName[];
  /** Base URL the relative file URLs resolve against: the server or the gateway's cache. */
  readonly baseUrl: string;
  readonly tmpDir: string;
  /** Trusted wall time (epoch ms). */
  readonly now: () => number;
  readonly log: Logger;
  /** A list changed version (snapshot, delta) or expiry (freshness): the heartbeat reads store meta. */
  readonly onApplied?: (meta: ListMeta, how: ApplyStep | 'freshness') => void;
  readonly fetchTimeoutMs?: number;
  readonly maxFileBytes?: number;
  readonly retryMs?: number;
}

export interface ListSync {
  start(): Promise<void>;
  stop(): void;
  /** Resolves when no list has work pending (tests, benchmarks). */
  idle(): Promise<void>;
  /** Counters: applied:<step>, rejected:<kind>:<reason>, failed:<step>:<reason>, behind, extended. */
  counters(): Record<string, number>;
}

const MAX_PENDING = 8;

/** The audiences of a device: every device takes region lists, gates and canteens their school's. */
export function listAudiences(profile: 'bus' | 'gate' | 'canteen', schoolId?: string): string[] {
  return profile === 'bus' || schoolId === undefined ? ['region'] : ['region', `school:${schoolId}`];
}

export function createListSync(deps: ListSyncDeps): ListSync {
  const log = deps.log.child({ module: 'lists-sync' });
  const counts = new Map<string, number>();
  const count = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  const reject = (kind: string, reason: string, fields: Record<string, unknown>): void => {
    count(`rejected:${kind}:${reason}`);
    log.warn({ kind, reason, ...fields }, 'list sync refused a message or file');
  };
  const freshness = new FreshnessTracker({ store: deps.load.store, verifiers: deps.load.verifiers, audiences: deps.audiences, lists: deps.lists, now: deps.now });
  const queues = new Map<ListName, { pending: ListAnnounce[]; running: Promise<void> | null; retry: NodeJS.Timeout | null; backoffMs: number }>();
  const retryMs = deps.retryMs ?? 30_000;
  let stopped = false;
  const ctx: ApplyContext = {
    load: deps.load, now: deps.now, baseUrl: deps.baseUrl,
    download: { tmpDir: deps.tmpDir, timeoutMs: deps.fetchTimeoutMs ?? 120_000, maxBytes: deps.maxFileBytes ?? 2 * 1024 ** 3 },
    refused: (step, reason, transient, err) => {
      const detail = err instanceof Error ? err.message : String(err);
      if (transient) count(`failed:${step}:${reason}`);
      else reject(step, reason, { detail });
    },
  };
  const running = (): Promise<void>[] => [...queues.values()].flatMap((q) => (q.running === null ? [] : [q.running]));
  const held = (list: ListName): number => deps.load.store.meta().find((m) => m.list === list)?.version ?? 0;
  const report = (meta: ListMeta, how: ApplyStep | 'freshness'): void => {
    try {
      deps.onApplied?.(meta, how);
    } catch (err) {
      log.error({ err }, 'onApplied callback failed');
    }
  };

  async function drain(list: ListName): Promise<void> {
    const q = queues.get(list);
    for (let a = q?.pending.shift(); q !== undefined && a !== undefined && !stopped; a = q.pending.shift()) {
      const version = held(list);
      if (a.version <= version) {
        if (a.version < version) reject('announce', 'rollback', { list, version: a.version, held: version });
        continue;
      }
      const out = await applyAnnouncement(a, version, ctx);
      for (const { applied, step } of out.steps) {
        q.backoffMs = retryMs;
        count(`applied:${step}`);
        log.info({ list, version: applied.meta.version, step, count: applied.count, announced: a.version }, 'list applied');
        report(applied.meta, step);
      }
      if (out.steps.length > 0) for (const m of freshness.reapply()) report(m, 'freshness');
      if (out.behind) {
        count('behind'); // the announced snapshot is older than the version: the next announcement names the newer one
        log.info({ list, held: held(list), announced: a.version }, 'list behind the announcement: waiting for its snapshot');
      } else if (out.transient && q.pending.length === 0 && q.retry === null) {
        q.retry = setTimeout(() => {
          q.retry = null;
          enqueue(a);
        }, q.backoffMs);
        q.retry.unref();
        q.backoffMs = Math.min(q.backoffMs * 2, retryMs * 16);
      }
    }
  }

  function enqueue(a: ListAnnounce): void {
    const list: ListName = a.list;
    const q = queues.get(list) ?? { pending: [], running: null, retry: null, backoffMs: retryMs };
    queues.set(list, q);
    q.pending.push(a);
    if (q.pending.length > MAX_PENDING) q.pending.shift();
    q.running ??= drain(list)
      .catch((err: unknown) => log.error({ err, list }, 'list sync failed'))
      .finally(() => (q.running = null));
  }

  function onMessage(topic: string, payload: Buffer): void {
    try {
      const t = parseTopic(topic);
      if (t?.kind === 'list') {
        const d = decodePayload(listAnnounceSchema, payload);
        if (!d.ok) return reject('announce', d.reason, { topic, detail: d.detail });
        const a = d.value;
        if (a.list !== t.list || a.audience !== t.audience) return reject('announce', 'topic-mismatch', { topic });
        if (!deps.audiences.includes(a.audience) || !audienceFits(a.list, a.audience)) return reject('announce', 'audience', { topic });
        if (!deps.lists.includes(a.list)) return;
        enqueue(a);
      } else if (t?.kind === 'freshness') {
        const d = decodePayload(freshnessSchema, payload);
        if (!d.ok) return reject('freshness', d.reason, { topic, detail: d.detail });
        const r = freshness.receive(d.value, t.audience);
        if (!r.ok) return reject('freshness', r.reason, { topic });
        for (const m of r.extended) {
          count('extended');
          report(m, 'freshness');
        }
      } else {
        reject('message', 'topic', { topic });
      }
    } catch (err) {
      log.error({ err, topic }, 'list sync message handler failed');
    }
  }

  return {
    async start() {
      for (const audience of deps.audiences) {
        for (const list of deps.lists) {
          if (audienceFits(list, audience)) await deps.bus.subscribe(topics.list(audience, list), 1, onMessage);
        }
        await deps.bus.subscribe(topics.freshness(audience), 1, onMessage);
      }
    },
    stop() {
      stopped = true;
      for (const q of queues.values()) if (q.retry !== null) clearTimeout(q.retry);
    },
    async idle() {
      for (let r = running(); r.length > 0; r = running()) await Promise.all(r);
    },
    counters: () => Object.fromEntries(counts),
  };
}
