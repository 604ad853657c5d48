/**
 * Bringing one list up to an announced version, cheapest way first:
 *   1. the inline delta, when it is based on the version held (no HTTP at all);
 *   2. the delta file, when it is based on the version held;
 *   3. the snapshot.
 * Every file goes through loadListFile (pinned signature, audience, expiry, rollback, exact base;
 * nothing half-applied), after a check that it is the announced list, audience and version. A
 * refused step falls through to the next; each refusal is reported with its reason.
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

export type ApplyOutcome = { readonly applied: LoadListFileResult; readonly step: ApplyStep } | { readonly applied: null; readonly transient: boolean };

/** Why a step failed, as a short stable reason. */
export function refusalReason(err: unknown): string {
  if (err instanceof ListFetchError) return err.reason;
  if (isRescardError(err, 'LIST_VERSION_ROLLBACK')) return 'rollback';
  if (isRescardError(err, 'LIST_BASE_MISMATCH')) return 'base';
  if (isRescardError(err)) return typeof err.details['reason'] === 'string' ? err.details['reason'] : err.code;
  return 'error';
}

async function loadChecked(path: string, a: ListAnnounce, ctx: ApplyContext): Promise<LoadListFileResult> {
  const reader = await ListFileReader.open(path);
  const m = reader.header.manifest;
  await reader.close();
  if (m.list !== a.list || m.audience !== a.audience || m.version !== a.version) {
    throw new RescardError('LIST_FILE_INVALID', `list file is ${m.list}/${m.audience} v${m.version}, not the announced one`, { reason: 'mismatch' });
  }
  return loadListFile(path, { ...ctx.load, nowMs: ctx.now() });
}

async function attempt(step: ApplyStep, a: ListAnnounce, ctx: ApplyContext, fetchPath: () => Promise<string>): Promise<LoadListFileResult | 'transient' | null> {
  let path: string | null = null;
  try {
    path = await fetchPath();
    return await loadChecked(path, a, ctx);
  } catch (err) {
    const reason = refusalReason(err);
    const transient = reason === 'http' || reason === 'io';
    ctx.refused(step, reason, transient, err);
    return transient ? 'transient' : null;
  } finally {
    if (path !== null) await rm(path, { force: true });
  }
}

/** Apply announcement `a` to a device holding `heldVersion` (0: none). */
export async function applyAnnouncement(a: ListAnnounce, heldVersion: number, ctx: ApplyContext): Promise<ApplyOutcome> {
  let transient = false;
  const steps: [ApplyStep, () => Promise<string>][] = [];
  const d = a.delta;
  if (d !== undefined && heldVersion > 0 && d.baseVersion === heldVersion) {
    const inline = d.inline;
    if (inline !== undefined) {
      steps.push(['inline', async () => {
        const path = join(ctx.download.tmpDir, `list-inline-${randomUUID()}.ndjson`);
        await writeFile(path, inline, { encoding: 'utf8', flag: 'wx' });
        return path;
      }]);
    }
    steps.push(['delta', () => downloadToTemp(resolveListUrl(ctx.baseUrl, d.url), ctx.download)]);
  }
  steps.push(['snapshot', () => downloadToTemp(resolveListUrl(ctx.baseUrl, a.snapshotUrl), ctx.download)]);
  for (const [step, fetchPath] of steps) {
    // Held already (a re-delivered announcement, or an earlier step applied more than it said): stop.
    if ((ctx.load.store.meta().find((m) => m.list === a.list)?.version ?? 0) >= a.version) break;
    const r = await attempt(step, a, ctx, fetchPath);
    if (r === 'transient') transient = true;
    else if (r !== null) return { applied: r, step };
  }
  return { applied: null, transient };
}
