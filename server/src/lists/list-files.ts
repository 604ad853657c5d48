/**
 * Building and pruning the signed files of one list (dataDir/lists/files/<audience>/<list>/):
 *
 *   snapshot-<v>.ndjson          every entry at version v (rows in the device's key order)
 *   delta-<base>-<v>.ndjson      what changed from base to v (base = the previously announced version)
 *
 * Two builds, each from one read transaction (ListDbReader), written by writeListFile (streamed,
 * fsynced, renamed into place: the HTTP route never serves half a file) and checked against the
 * verifying keys before anything announces them:
 *   - buildDeltaFile: the delta of a new version only (milliseconds for a stop-list change),
 *     so the version can be announced before its snapshot exists (ADR 0004 §3);
 *   - buildSnapshotFile: the snapshot of the current version (seconds for 1M entries), plus the
 *     delta when the version is published by this build (no delta job could carry it).
 * Re-signing (same version, new expiry) rewrites files under the same names; a download already
 * under way keeps reading the old inode.
 */
import { mkdir, readdir, rm, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ListFileReader, MAX_DELTA_RECORDS, verifyManifestSignature, writeListFile, type ListFileListName, type ListManifestDraft,
  type ListSigner, type ListVerifiers,
} from '@rescard/shared';
import { ListDbReader } from './list-db-reader.js';
import type { ListKey, ListState } from './list-db.js';

/** A delta file up to this size travels inside the announcement (a one-card stop-list change: ~400 bytes). */
export const INLINE_MAX_BYTES = 64 * 1024;

export const snapshotName = (v: number): string => `snapshot-${v}.ndjson`;
export const deltaName = (base: number, v: number): string => `delta-${base}-${v}.ndjson`;
export const FILE_NAME = /^(?:snapshot-([1-9]\d{0,15})|delta-([1-9]\d{0,15})-([1-9]\d{0,15}))\.ndjson$/;

export interface BuildOptions {
  readonly dbPath: string;
  readonly filesDir: string;
  readonly signer: ListSigner;
  readonly verifiers: ListVerifiers;
  readonly nowMs: number;
  readonly fileTtlMs: number;
  /** Rebuild the published version with a new expiry even though nothing changed. */
  readonly resign: boolean;
}

export interface BuiltFiles {
  readonly version: number;
  readonly base: number | null;
  readonly snapshot: string | null;
  readonly delta: string | null;
  readonly inline: string | null;
  readonly expiresAtMs: number;
  /** True when `version` was not announced before and this build publishes it. */
  readonly publishes: boolean;
}

export const listDir = (filesDir: string, key: ListKey): string => join(filesDir, key.audience, key.list);

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** The newest snapshot version on disk at or below `atMost`, or null. */
export async function newestSnapshot(dir: string, atMost: number): Promise<number | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let best: number | null = null;
  for (const n of names) {
    const v = Number(FILE_NAME.exec(n)?.[1] ?? NaN);
    if (v <= atMost && (best === null || v > best)) best = v;
  }
  return best;
}

function deltaBase(reader: ListDbReader, st: ListState, version: number, base: number | null): number | null {
  if (base === null || base < st.deltaFloor || reader.deltaCount(base, version) > MAX_DELTA_RECORDS) return null;
  return base;
}

function draftOf(key: ListKey, version: number, o: BuildOptions): ListManifestDraft {
  return {
    list: key.list as ListFileListName, audience: key.audience, version, baseVersion: null,
    issuedAt: new Date(o.nowMs).toISOString(), expiresAt: new Date(o.nowMs + o.fileTtlMs).toISOString(),
  };
}

async function finishDelta(dir: string, name: string, o: BuildOptions): Promise<string | null> {
  await selfCheck(join(dir, name), o.verifiers);
  return (await stat(join(dir, name))).size <= INLINE_MAX_BYTES ? readFile(join(dir, name), 'utf8') : null;
}

/**
 * The delta of the key's newest version from the announced one, when a delta can carry it and a
 * snapshot is on disk for devices further behind; null otherwise (buildSnapshotFile publishes).
 */
export async function buildDeltaFile(key: ListKey, o: BuildOptions): Promise<BuiltFiles | null> {
  const reader = new ListDbReader(o.dbPath, key);
  const dir = listDir(o.filesDir, key);
  let built: { version: number; base: number };
  try {
    const st = reader.state();
    if (st === undefined || st.version <= st.published || st.published === 0) return null;
    const base = deltaBase(reader, st, st.version, st.published);
    if (base === null || (await newestSnapshot(dir, base)) === null) return null;
    await writeListFile(join(dir, deltaName(base, st.version)), { ...draftOf(key, st.version, o), baseVersion: base }, reader.delta(base, st.version), o.signer);
    built = { version: st.version, base };
  } finally {
    reader.end();
  }
  const delta = deltaName(built.base, built.version);
  const inline = await finishDelta(dir, delta, o);
  return { ...built, snapshot: null, delta, inline, expiresAtMs: o.nowMs + o.fileTtlMs, publishes: true };
}

/**
 * The snapshot of the key's newest version, unless it is on disk already (and not `resign`).
 * When that version is not announced yet and no delta can carry it (first version, a source
 * change over MAX_DELTA_RECORDS), this build publishes it; a version a delta can carry is left
 * to buildDeltaFile, which announces it sooner.
 */
export async function buildSnapshotFile(key: ListKey, o: BuildOptions): Promise<BuiltFiles | null> {
  const reader = new ListDbReader(o.dbPath, key);
  const dir = listDir(o.filesDir, key);
  let built: Omit<BuiltFiles, 'inline' | 'expiresAtMs'>;
  try {
    const st = reader.state();
    if (st === undefined || st.version === 0) return null;
    const version = st.version;
    const fresh = version > st.published;
    const base = fresh ? deltaBase(reader, st, version, st.published > 0 ? st.published : null) : st.publishedBase;
    const publishes = fresh && (base === null || (await newestSnapshot(dir, base)) === null);
    const snapshot = snapshotName(version);
    const resign = o.resign && !fresh;
    if (!resign && !publishes && (await exists(join(dir, snapshot)))) return null;
    await mkdir(dir, { recursive: true });
    await writeListFile(join(dir, snapshot), draftOf(key, version, o), reader.snapshot(), o.signer);
    const delta = base !== null && (publishes || resign) ? deltaName(base, version) : null;
    if (delta !== null) await writeListFile(join(dir, delta), { ...draftOf(key, version, o), baseVersion: base }, reader.delta(base ?? 0, version), o.signer);
    built = { version, base: fresh && !publishes ? null : base, snapshot, delta, publishes };
  } finally {
    reader.end();
  }
  await selfCheck(join(dir, built.snapshot ?? ''), o.verifiers);
  const inline = built.delta === null ? null : await finishDelta(dir, built.delta, o);
  return { ...built, inline, expiresAtMs: o.nowMs + o.fileTtlMs };
}

/** What a device will check first: the header verifies with the keys devices pin. */
async function selfCheck(path: string, verifiers: ListVerifiers): Promise<void> {
  const reader = await ListFileReader.open(path);
  try {
    if (reader.header.dev) throw new Error(`${path}: built a dev-mode file`);
    verifyManifestSignature(reader.header.manifest, reader.header.signature, verifiers);
  } finally {
    await reader.close();
  }
}

/**
 * Keep the files of the newest `keepVersions` snapshot versions (and the deltas leading to them);
 * delete older ones and temporary leftovers of interrupted writes. Runs after each build of the
 * same list, never concurrently with one (builds of one list are serialised).
 */
export async function pruneListFiles(dir: string, keepVersions: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const snapshots = names.map((n) => FILE_NAME.exec(n)?.[1]).filter((v): v is string => v !== undefined).map(Number).sort((a, b) => b - a);
  const cutoff = snapshots[keepVersions - 1] ?? 0;
  const doomed = names.filter((n) => {
    const m = FILE_NAME.exec(n);
    if (m === null) return n.endsWith('.tmp') || n.endsWith('.payload');
    return Number(m[1] ?? m[3]) < cutoff;
  });
  await Promise.all(doomed.map((n) => rm(join(dir, n), { force: true })));
  return doomed;
}
