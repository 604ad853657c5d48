/**
 * Fetching a list file over HTTP (node's fetch) into a temporary file. The URL in an
 * announcement is untrusted (the broker and a gateway are relays): it must be relative and
 * resolve under the configured base URL (the server, or the gateway's cache). Absolute URLs,
 * protocol-relative ones, other hosts and paths that climb out of the base are refused before
 * any request. The file itself is verified afterwards by loadListFile.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export class ListFetchError extends Error {
  override readonly name = 'ListFetchError';
  constructor(readonly reason: 'url' | 'http' | 'too-large', message: string) {
    super(message);
  }
}

/** `relative` resolved against `baseUrl`, or a ListFetchError('url'). */
export function resolveListUrl(baseUrl: string, relative: string): URL {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(relative) || relative.startsWith('/') || relative.startsWith('\\') || relative.includes('\\')) {
    throw new ListFetchError('url', 'announced URL is not relative to the list base URL');
  }
  const url = new URL(relative, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname) || url.username !== '' || url.password !== '') {
    throw new ListFetchError('url', 'announced URL leaves the list base URL');
  }
  return url;
}

export interface DownloadOptions {
  readonly tmpDir: string;
  readonly timeoutMs: number;
  /** Larger responses are refused (a 10M-entry snapshot is ~1.1 GB; the default bound is 2 GiB). */
  readonly maxBytes: number;
}

/** Download `url` to a new file in tmpDir; returns its path (the caller removes it). */
export async function downloadToTemp(url: URL, o: DownloadOptions): Promise<string> {
  const path = join(o.tmpDir, `list-${randomUUID()}.ndjson`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'error' });
    if (!res.ok || res.body === null) throw new ListFetchError('http', `GET ${url.pathname}: HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > o.maxBytes) throw new ListFetchError('too-large', `GET ${url.pathname}: ${declared} bytes`);
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb): void {
        seen += chunk.length;
        cb(seen > o.maxBytes ? new ListFetchError('too-large', `GET ${url.pathname}: over ${o.maxBytes} bytes`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), limit, createWriteStream(path, { flags: 'wx' }));
    return path;
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof ListFetchError) throw err;
    throw new ListFetchError('http', `GET ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
