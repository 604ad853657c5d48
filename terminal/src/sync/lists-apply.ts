/**
 * Bringing one list up to an announced version, cheapest way first:
 *   1. the inline delta, when it is based on the version held (no HTTP at all);
 *   2. the delta file, when it is based on the version held;
 *   3. the snapshot the announcement names, when it is newer than the version held. The server
 *      announces a change with its delta before the change's own snapshot is built (ADR 0004 §3),
 *      so that snapshot may be older than the announced version: it is applied for what it is
 *      (any signed snapshot newer than the held version and not newer than the announced one),
 *      then 1-2 are tried again on top of it. A device still short of the announced version waits
 *      for the announcement that names the newer snapshot ('behind'); that is not a refusal.
 * A snapshot URL whose file name says a version at or below the one held is not fetched (the
 * name is untrusted: it can only make the device skip a download, which a relay could anyway).
 * Every file goes through loadListFile (pinned signature, audience, expiry, rollback, exact base;
 * nothing half-applied), after a check that it is the announced list and audience and the
 * announced version (a delta) or at most it (a snapshot). A refused step falls through to the
 * next; each refusal is reported with its reason.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ListFileReader, RescardError, isRescardError, type ListAnnounce } from '@rescard/shared';
import { loadListFile, type LoadListFileOptions, type LoadListFileResult } from '../lists/load-list-file.js';
import { ListFetchError, downloadToTemp, resolveListUrl, type DownloadOptions } from './lists-fetch.js';

export type ApplyStep = 'inline' | 'delta' | 'snapshot';

export interface ApplyContext {
  readonly load: Omit<LoadListFileOptions, 'nowMs'>;
  readonly now: () => number;
  readonly baseUrl: string;
  readonly download: DownloadOptions;
  /** Called for each refused step: why, and whether a later attempt may succeed (network). */
  readonly refused: (step: ApplyStep, reason: string, transient: boolean, err: unknown) => void;
}

export interface AppliedStep {
  readonly applied: LoadListFileResult;
  readonly step: ApplyStep;
}

export interface ApplyOutcome {
  /** What was applied, in order (e.g. an older snapshot, then the delta on top of it). */
  readonly steps: readonly AppliedStep[];
  /** A step failed on the network: a retry may succeed. */
  readonly transient: boolean;
  /** Still short of the announced version with nothing refused: the newer snapshot is not announced yet. */
  readonly behind: boolean;
}

/** Why a step failed, as a short stable reason. */
export function refusalReason(err: unknown): string {
  if (err instanceof ListFetchError) return err.reason;
  if (isRescardError(err, 'LIST_VERSION_ROLLBACK')) return 'rollback';
  if (isRescardError(err, 'LIST_BASE_MISMATCH')) return 'base';
  if (isRescardError(err)) return typeof err.details['reason'] === 'string' ? err.details['reason'] : err.code;
  return 'error';
}

async function loadChecked(path: string, a: ListAnnounce, step: ApplyStep, ctx: ApplyContext): Promise<LoadListFileResult> {
  const reader = await ListFileReader.open(path);
  const m = reader.header.manifest;
  await reader.close();
  const fits = step === 'snapshot' ? m.baseVersion === null && m.version <= a.version : m.version === a.version;
  if (m.list !== a.list || m.audience !== a.audience || !fits) {
    throw new RescardError('LIST_FILE_INVALID', `list file is ${m.list}/${m.audience} v${m.version}, not the announced one`, { reason: 'mismatch' });
  }
  return loadListFile(path, { ...ctx.load, nowMs: ctx.now() });
}

async function attempt(step: ApplyStep, a: ListAnnounce, ctx: ApplyContext, fetchPath: () => Promise<string>): Promise<LoadListFileResult | 'transient' | null> {
  let path: string | null = null;
  try {
    path = await fetchPath();
    return await loadChecked(path, a, step, ctx);
  } catch (err) {
    const reason = refusalReason(err);
    // http, io: the network or the file; busy: another loader on the device won a race (try again).
    const transient = reason === 'http' || reason === 'io' || reason === 'busy';
    ctx.refused(step, reason, transient, err);
    return transient ? 'transient' : null;
  } finally {
    if (path !== null) await rm(path, { force: true });
  }
}

/** The version a snapshot URL's file name claims (snapshot-<v>.ndjson), or null. Untrusted: a hint. */
export function snapshotVersionHint(url: string): number | null {
  const m = /(?:^|\/)snapshot-([1-9]\d{0,15})\.ndjson$/.exec(url);
  return m === null ? null : Number(m[1]);
}

/** Apply announcement `a` to a device holding `heldVersion` (0: none). */
export async function applyAnnouncement(a: ListAnnounce, heldVersion: number, ctx: ApplyContext): Promise<ApplyOutcome> {
  const held = (): number => ctx.load.store.meta().find((m) => m.list === a.list)?.version ?? heldVersion;
  const steps: AppliedStep[] = [];
  let transient = false;
  const run = async (step: ApplyStep, fetchPath: () => Promise<string>): Promise<boolean> => {
    // Held already (a re-delivered announcement, or an earlier step applied more than it said): stop.
    if (held() >= a.version) return true;
    const r = await attempt(step, a, ctx, fetchPath);
    if (r === 'transient') transient = true;
    else if (r !== null) steps.push({ applied: r, step });
    return r !== null && r !== 'transient' && held() >= a.version;
  };
  const deltaOnHeld = async (): Promise<boolean> => {
    const d = a.delta;
    const base = held();
    if (d === undefined || base === 0 || d.baseVersion !== base) return false;
    const inline = d.inline;
    if (inline !== undefined) {
      const done = await run('inline', async () => {
        const path = join(ctx.download.tmpDir, `list-inline-${randomUUID()}.ndjson`);
        await writeFile(path, inline, { encoding: 'utf8', flag: 'wx' });
        return path;
      });
      if (done) return true;
    }
    return run('delta', () => downloadToTemp(resolveListUrl(ctx.baseUrl, d.url), ctx.download));
  };
  if (await deltaOnHeld()) return { steps, transient, behind: false };
  const hint = snapshotVersionHint(a.snapshotUrl);
  if (held() < a.version && (hint === null || hint > held())) {
    if (await run('snapshot', () => downloadToTemp(resolveListUrl(ctx.baseUrl, a.snapshotUrl), ctx.download))) return { steps, transient, behind: false };
    if (await deltaOnHeld()) return { steps, transient, behind: false };
  }
  const reached = held() >= a.version;
  return { steps, transient: transient && !reached, behind: !reached && !transient && (hint !== null && hint < a.version) };
}
