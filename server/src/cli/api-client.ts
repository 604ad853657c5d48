/**
 * Every HTTP call of the CLI (fetch, Node 20): JSON requests, a streamed CSV upload with a byte
 * count, and a streamed download. Failures become CliError: the API's `{error:{code,message}}`
 * with the exit code of its status (401/403 → 3, else 1), or SERVER_UNREACHABLE (exit 1) when
 * the server cannot be reached or does not answer with the API's JSON. The bearer token goes
 * only in the Authorization header, never in a URL; request bodies are never logged or echoed.
 */
import { Readable } from 'node:stream';
import { CliError, EXIT, exitForStatus } from './cli-error.js';

export interface ApiClientOptions {
  /** Base URL without a trailing slash (credentials.ts normaliseServerUrl). */
  readonly server: string;
  readonly token: string | null;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
  /** JSON requests only (uploads and downloads run as long as they need). Default 30 s. */
  readonly timeoutMs?: number;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface UploadOptions {
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly onBytes?: (sentBytes: number) => void;
}

export const UNREACHABLE = 'SERVER_UNREACHABLE';

export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  get server(): string {
    return this.opts.server;
  }

  url(path: string, query: Query = {}): string {
    const u = new URL(this.opts.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** A JSON request; `body` (if any) is sent as JSON. Resolves with the parsed answer. */
  async json<T>(method: 'GET' | 'POST' | 'DELETE' | 'PUT', path: string, init: { query?: Query; body?: unknown; auth?: boolean } = {}): Promise<T> {
    const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? 30_000), ...(this.opts.signal ? [this.opts.signal] : [])];
    const res = await this.send(this.url(path, init.query), {
      method,
      headers: this.headers(init.auth ?? true, init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.any(signals),
    });
    return (await this.answer(res)) as T;
  }

  /** Upload a byte stream as the request body (not buffered); `onBytes` sees the running count. */
  async upload<T>(path: string, query: Query, body: AsyncIterable<Uint8Array>, o: UploadOptions): Promise<T> {
    let sent = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        sent += chunk.byteLength;
        o.onBytes?.(sent);
        yield chunk;
      }
    }
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      // The length up front lets the server refuse an oversized file before reading it.
      headers: this.headers(true, { 'content-type': o.contentType, 'content-length': String(o.sizeBytes) }),
      body: Readable.toWeb(Readable.from(counted())),
      duplex: 'half',
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    };
    const res = await this.send(this.url(path, query), init);
    return (await this.answer(res)) as T;
  }

  /** A GET whose answer is streamed by the caller (reports): the body and its content type. */
  async download(path: string, query: Query): Promise<{ body: AsyncIterable<Uint8Array>; contentType: string | null }> {
    const res = await this.send(this.url(path, query), { method: 'GET', headers: this.headers(true), ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
    if (!res.ok) await this.answer(res); // throws the API's error
    if (res.body === null) throw new CliError(UNREACHABLE, `${this.opts.server} sent an empty answer`, EXIT.failure);
    return { body: Readable.fromWeb(res.body), contentType: res.headers.get('content-type') };
  }

  private headers(auth: boolean, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': 'rescard-cli', ...extra };
    if (auth && this.opts.token !== null) h['authorization'] = `Bearer ${this.opts.token}`;
    return h;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.opts.fetch(url, init);
    } catch (err) {
      throw networkError(this.opts.server, err);
    }
  }

  /** The parsed JSON of a 2xx answer; a CliError for anything else. */
  private async answer(res: Response): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw networkError(this.opts.server, err);
    }
    let json: unknown = undefined;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: handled below
    }
    if (res.ok) {
      if (json === undefined) throw new CliError(UNREACHABLE, `${this.opts.server} answered HTTP ${res.status} without JSON: is it a rescard server?`, EXIT.failure);
      return json;
    }
    const error = apiErrorOf(json);
    if (error === null) {
      const code = res.status === 401 ? 'AUTH_REQUIRED' : res.status === 403 ? 'FORBIDDEN' : UNREACHABLE;
      throw new CliError(code, `${this.opts.server} answered HTTP ${res.status} without an API error body`, exitForStatus(res.status), {}, res.status);
    }
    throw new CliError(error.code, error.message, exitForStatus(res.status), error.details, res.status);
  }
}

function apiErrorOf(json: unknown): { code: string; message: string; details: Record<string, unknown> } | null {
  if (typeof json !== 'object' || json === null) return null;
  const e = (json as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return null;
  const { code, message, details } = e as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof code !== 'string') return null;
  return {
    code,
    message: typeof message === 'string' ? message : code,
    details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
  };
}

function networkError(server: string, err: unknown): CliError {
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new CliError(UNREACHABLE, err.name === 'TimeoutError' ? `${server} did not answer in time` : 'interrupted', EXIT.failure);
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return new CliError(UNREACHABLE, `cannot reach ${server}: ${why}`, EXIT.failure);
}
