/**
 * Building and pruning the signed files of one list (dataDir/lists/files/<audience>/<list>/):
 *
 *   snapshot-<v>.ndjson          every entry at version v
 *   delta-<base>-<v>.ndjson      what changed from base to v (base = the previously announced version)
 *
 * Both come from one read transaction (ListDbReader), are written by writeListFile (streamed,
 * fsynced, renamed into place: the HTTP route never serves half a file) and are checked against
 * the verifying keys before they are announced. Re-signing (same version, new expiry) rewrites
 * both under the same names; a download already under way keeps reading the old inode.
 */
import { mkdir, readdir, rm, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ListFileReader, MAX_DELTA_RECORDS, verifyManifestSignature, writeListFile, type ListFileListName, type ListSigner, type ListVerifiers,
} from '@rescard/shared';
import { ListDbReader } from './list-db-reader.js';
import type { ListKey } from './list-db.js';

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
  readonly snapshot: string;
  readonly delta: string | null;
  readonly inline: string | null;
  readonly expiresAtMs: number;
}

export const listDir = (filesDir: string, key: ListKey): string => join(filesDir, key.audience, key.list);

/** Build the files of the key's current version; null when there is nothing to build. */
export async function buildListFiles(key: ListKey, o: BuildOptions): Promise<BuiltFiles | null> {
  const reader = new ListDbReader(o.dbPath, key);
  const dir = listDir(o.filesDir, key);
  const expiresAtMs = o.nowMs + o.fileTtlMs;
  let version: number;
  let base: number | null;
  try {
    const st = reader.state();
    if (st === undefined || st.version === 0 || (st.version === st.published && !o.resign)) return null;
    version = st.version;
    base = version > st.published ? (st.published > 0 ? st.published : null) : st.publishedBase;
    if (base !== null && (base < st.deltaFloor || reader.deltaCount(base, version) > MAX_DELTA_RECORDS)) base = null;
    const draft = {
      list: key.list as ListFileListName, audience: key.audience, version,
      issuedAt: new Date(o.nowMs).toISOString(), expiresAt: new Date(expiresAtMs).toISOString(),
    };
    await mkdir(dir, { recursive: true });
    await writeListFile(join(dir, snapshotName(version)), { ...draft, baseVersion: null }, reader.snapshot(), o.signer);
    if (base !== null) await writeListFile(join(dir, deltaName(base, version)), { ...draft, baseVersion: base }, reader.delta(base, version), o.signer);
  } finally {
    reader.end();
  }
  await selfCheck(join(dir, snapshotName(version)), o.verifiers);
  const delta = base === null ? null : deltaName(base, version);
  let inline: string | null = null;
  if (delta !== null) {
    await selfCheck(join(dir, delta), o.verifiers);
    if ((await stat(join(dir, delta))).size <= INLINE_MAX_BYTES) inline = await readFile(join(dir, delta), 'utf8');
  }
  return { version, base, snapshot: snapshotName(version), delta, inline, expiresAtMs };
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
