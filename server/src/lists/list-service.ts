/**
 * createListService: the server's list distribution (ADR 0004). Sources call setEntries (a whole
 * list), upsert or remove (small changes); each call that changes something commits a new version
 * (list-db.ts) and schedules two jobs per list (list-files.ts):
 *   - the delta job (fast): the delta from the last announced version, then at once a retained
 *     announcement of the new version whose snapshotUrl names the newest snapshot already on disk
 *     (older than the version: devices holding the delta's base apply the delta, devices further
 *     behind take that snapshot, then the delta if it fits, and wait for the second announcement);
 *   - the snapshot job (slow, in the background): the new version's snapshot, then the second
 *     announcement, now naming it. It also publishes versions no delta can carry (the first one, a
 *     source change over MAX_DELTA_RECORDS) with their snapshot, as before.
 * Nothing announced ever names a file that is not on disk. Each job is serialised per list and
 * coalesced: changes made during a job go out together in its next run, whose delta starts at
 * the version devices were last told about. A timer (freshnessIntervalMs) re-signs freshness,
 * retries failed builds and re-signs files past half their lifetime.
 */
import { createPublicKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createListVerifiers, type ListFileListName, type ListSigner } from '@rescard/shared';
import type { Logger } from 'pino';
import { buildAnnouncement, publishAnnouncement, publishFreshness, type Publish } from './list-announce.js';
import { ListDb, type ListKey, type ListState } from './list-db.js';
import { buildDeltaFile, buildSnapshotFile, listDir, newestSnapshot, pruneListFiles, type BuiltFiles } from './list-files.js';
import { checkListKey, toStoredEntry, type ListEntryInput, type StoredEntry } from './list-input.js';

export interface ListServiceDeps {
  readonly dataDir: string;
  readonly signer: ListSigner;
  /** Keys the built files must verify with (what devices pin), { kid: PEM }; default: the signer's own. */
  readonly verifyKeysPem?: Readonly<Record<string, string>>;
  readonly publish: Publish;
  readonly clock: { wallMs(): number };
  readonly log: Logger;
  /** Lifetime signed into list files (default 24 h); files are re-signed at half of it. */
  readonly fileTtlMs?: number;
  readonly freshnessIntervalMs?: number;
  /** Default 1 h. Must exceed the interval, or devices go stale between two messages. */
  readonly freshnessTtlMs?: number;
  /** Snapshot versions kept on disk per list (default 4; older files and deltas are deleted). */
  readonly keepVersions?: number;
}

export interface ListService {
  setEntries(list: ListFileListName, audience: string, entries: Iterable<ListEntryInput> | AsyncIterable<ListEntryInput>): Promise<number>;
  upsert(list: ListFileListName, audience: string, entries: readonly ListEntryInput[]): Promise<number>;
  remove(list: ListFileListName, audience: string, tokens: readonly string[]): Promise<number>;
  /** Re-announce what is published, resume unfinished builds, start the freshness timer. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One timer tick: retry builds, re-sign ageing files, publish every audience's freshness. */
  tick(): Promise<void>;
  /** Resolves when no build is running or scheduled. */
  flush(): Promise<void>;
  states(): ListState[];
  readonly filesDir: string;
}

const STAGE_BATCH = 10_000;

export async function createListService(deps: ListServiceDeps): Promise<ListService> {
  const log = deps.log.child({ module: 'lists' });
  const fileTtlMs = deps.fileTtlMs ?? 24 * 3600_000;
  const intervalMs = deps.freshnessIntervalMs ?? 5 * 60_000;
  const freshTtlMs = deps.freshnessTtlMs ?? 3600_000;
  const keep = deps.keepVersions ?? 4;
  if (freshTtlMs <= intervalMs || keep < 2) throw new Error('list service: freshnessTtlMs must exceed freshnessIntervalMs; keepVersions ≥ 2');
  const verifiers = createListVerifiers(deps.verifyKeysPem ?? { [deps.signer.kid]: publicPem(deps.signer) });
  const root = join(deps.dataDir, 'lists');
  const filesDir = join(root, 'files');
  await mkdir(filesDir, { recursive: true });
  const db = new ListDb(join(root, 'state.db'));
  const jobs = new Map<string, { again: boolean; resign: boolean; running: Promise<void> | null }>();
  let stageChain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  type JobKind = 'delta' | 'snapshot';

  async function announce(key: ListKey, built: BuiltFiles, kind: JobKind, resign: boolean): Promise<void> {
    const st = db.state(key);
    if (built.publishes || resign) {
      // The expiry of the files the announcement names: a delta announced with an older snapshot
      // keeps the older (earlier) expiry, so the re-sign timer goes by the oldest file.
      const expires = built.publishes && kind === 'delta' ? Math.min(st?.filesExpireMs ?? built.expiresAtMs, built.expiresAtMs) : built.expiresAtMs;
      db.markPublished(key, built.version, built.base, expires);
    }
    const now = db.state(key);
    const msg = now === undefined ? null : await buildAnnouncement(filesDir, now);
    if (msg !== null) await publishAnnouncement(deps.publish, msg);
    if (kind === 'snapshot') await pruneListFiles(listDir(filesDir, key), keep);
    await publishFreshness(deps.publish, deps.signer, key.audience, db.states(), deps.clock.wallMs(), freshTtlMs);
    log.info({
      list: key.list, audience: key.audience, job: kind, version: built.version, base: built.base, announced: msg?.version ?? null,
      snapshotUrl: msg?.snapshotUrl ?? null, inlineBytes: built.inline?.length ?? 0, resign,
    }, kind === 'delta' ? 'list version announced with its delta' : 'list snapshot built and announced');
  }

  async function runJob(key: ListKey, kind: JobKind, resign: boolean): Promise<void> {
    const o = { dbPath: db.path, filesDir, signer: deps.signer, verifiers, nowMs: deps.clock.wallMs(), fileTtlMs, resign };
    if (kind === 'delta') {
      const built = await buildDeltaFile(key, o);
      if (built !== null) await announce(key, built, kind, false);
      void schedule(key, 'snapshot'); // its snapshot (or, if no delta could carry it, the version itself)
      return;
    }
    const built = await buildSnapshotFile(key, o);
    if (built !== null) await announce(key, built, kind, resign);
  }

  function schedule(key: ListKey, kind: JobKind, resign = false): Promise<void> {
    const id = `${kind}:${key.audience}/${key.list}`;
    const job = jobs.get(id) ?? { again: false, resign: false, running: null };
    jobs.set(id, job);
    job.again = true;
    job.resign ||= resign;
    job.running ??= (async () => {
      try {
        while (job.again) {
          job.again = false;
          const r = job.resign;
          job.resign = false;
          await runJob(key, kind, r);
        }
      } catch (err) {
        log.error({ err, list: key.list, audience: key.audience, job: kind }, 'list build failed; retried at the next tick');
      } finally {
        job.running = null; // synchronous with the loop's last check: no schedule() call is lost
      }
    })();
    return job.running;
  }

  /** True when the published version's own snapshot is on disk. */
  async function hasOwnSnapshot(st: ListState): Promise<boolean> {
    return (await newestSnapshot(listDir(filesDir, st), st.published)) === st.published;
  }

  async function mutate(list: ListFileListName, audience: string, apply: (key: ListKey) => number | Promise<number>): Promise<number> {
    const key = { list: checkListKey(list, audience), audience };
    const version = await apply(key);
    void schedule(key, 'delta');
    return version;
  }

  async function stageAll(key: ListKey, entries: Iterable<ListEntryInput> | AsyncIterable<ListEntryInput>): Promise<number> {
    let batch: StoredEntry[] = [];
    let index = 0;
    let first = true;
    for await (const e of entries) {
      batch.push(toStoredEntry(e, index++));
      if (batch.length >= STAGE_BATCH) {
        db.stage(batch, first);
        [batch, first] = [[], false];
      }
    }
    db.stage(batch, first);
    return db.commitStaged(key);
  }

  const service: ListService = {
    filesDir,
    setEntries: (list, audience, entries) => {
      const run = stageChain.then(() => mutate(list, audience, (key) => stageAll(key, entries))); // one staging at a time
      stageChain = run.catch(() => undefined);
      return run;
    },
    upsert: (list, audience, entries) => mutate(list, audience, (key) => db.upsert(key, entries.map(toStoredEntry))),
    remove: (list, audience, tokens) => mutate(list, audience, (key) => db.remove(key, tokens)),
    states: () => db.states(),
    async flush() {
      const running = (): Promise<void>[] => [...jobs.values()].flatMap((j) => (j.running === null ? [] : [j.running]));
      for (let r = running(); r.length > 0; r = running()) await Promise.all(r);
    },
    async tick() {
      const now = deps.clock.wallMs();
      for (const st of db.states()) {
        if (st.version > st.published) void schedule(st, 'delta');
        else if (st.published > 0 && (st.filesExpireMs ?? 0) - now < fileTtlMs / 2) void schedule(st, 'snapshot', true);
        else if (st.published > 0 && !(await hasOwnSnapshot(st))) void schedule(st, 'snapshot'); // a failed or lost build
      }
      await service.flush();
      for (const audience of new Set(db.states().map((s) => s.audience))) {
        await publishFreshness(deps.publish, deps.signer, audience, db.states(), deps.clock.wallMs(), freshTtlMs);
      }
    },
    async start() {
      for (const st of db.states()) {
        const msg = await buildAnnouncement(filesDir, st);
        if (msg !== null) await publishAnnouncement(deps.publish, msg);
        if (st.published > 0 && (msg === null || !(await hasOwnSnapshot(st)))) void schedule(st, 'snapshot', msg === null); // files lost: rebuild
      }
      await service.tick();
      timer = setInterval(() => void service.tick().catch((err: unknown) => log.error({ err }, 'list tick failed')), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await stageChain;
      await service.flush();
      db.close();
    },
  };
  return service;
}

function publicPem(signer: ListSigner): string {
  return createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }).toString();
}
