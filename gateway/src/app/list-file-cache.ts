/**
 * The gateway's cache of signed list files: dataDir/lists/<audience>/<list>/<file>, the same
 * relative paths as the server's GET /lists/:audience/:list/:file, so a terminal's list baseUrl
 * can point at the gateway. The gateway is an untrusted relay: it checks names, not signatures
 * (terminals verify every file). An announced URL is accepted only if it is exactly
 * "lists/<audience>/<list>/<snapshot-V|delta-B-V>.ndjson" for the announcement's own audience and
 * list; the cache path is built from those checked parts, never from the raw URL.
 * Files are written to a temporary name, fsynced, then renamed: a reader never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export const AUDIENCE_RE = /^(region|school:[A-Za-z0-9._-]{1,64})$/;
export const LIST_RE = /^(benefit|stoplist|roster|canteen)$/;
export const FILE_RE = /^(snapshot-[1-9][0-9]{0,15}|delta-[1-9][0-9]{0,15}-[1-9][0-9]{0,15})\.ndjson$/;

export interface ListFileRef {
  readonly audience: string;
  readonly list: string;
  readonly file: string;
}

/** The checked parts of an announced relative URL, or null. */
export function parseListFileUrl(url: string): ListFileRef | null {
  const parts = url.split('/');
  if (parts.length !== 4 || parts[0] !== 'lists') return null;
  let audience: string;
  try {
    audience = decodeURIComponent(parts[1]!);
  } catch {
    return null;
  }
  const list = parts[2]!;
  const file = parts[3]!;
  return AUDIENCE_RE.test(audience) && LIST_RE.test(list) && FILE_RE.test(file) ? { audience, list, file } : null;
}

/** The version a file name ends at (snapshot-V, delta-B-V). */
export function fileVersion(file: string): number {
  return Number(/-(\d+)\.ndjson$/.exec(file)?.[1] ?? 0);
}

export const cachePath = (root: string, ref: ListFileRef): string => join(root, ref.audience, ref.list, ref.file);

export interface FetchOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** GET baseUrl + "lists/<enc audience>/<list>/<file>" into the cache. Returns the size. */
export async function fetchIntoCache(root: string, ref: ListFileRef, o: FetchOptions): Promise<number> {
  const base = new URL(o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
  const url = new URL(`lists/${encodeURIComponent(ref.audience)}/${ref.list}/${ref.file}`, base);
  const dir = join(root, ref.audience, ref.list);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomUUID()}`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'error' });
    if (!res.ok || res.body === null) throw new Error(`GET ${url.pathname}: HTTP ${res.status}`);
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb): void {
        seen += chunk.length;
        cb(seen > o.maxBytes ? new Error(`GET ${url.pathname}: over ${o.maxBytes} bytes`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), limit, createWriteStream(tmp, { flags: 'wx' }));
    const fh = await open(tmp, 'r');
    await fh.sync().finally(() => fh.close());
    await rename(tmp, cachePath(root, ref));
    return seen;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Bound of the cache: per list, only files ending at one of `keepVersions` stay (the relay keeps
 * the current and the previous announced version, so a terminal mid-download is not cut off).
 */
export async function pruneListDir(root: string, audience: string, list: string, keepVersions: ReadonlySet<number>): Promise<number> {
  const dir = join(root, audience, list);
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (FILE_RE.test(name) && keepVersions.has(fileVersion(name))) continue;
    await rm(join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}
