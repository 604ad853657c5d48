/**
 * The CLI's saved sessions: `$XDG_CONFIG_HOME/rescard/credentials.json` (default
 * ~/.config/rescard/credentials.json), mode 0600 in a 0700 folder, one entry per server URL, so
 * a token is only ever sent to the server that issued it. `resolveConnection` (pure) decides
 * which server and token a command uses:
 *
 *   server: --server > RESCARD_SERVER > the file's default (the last login)
 *   token:  --token  > RESCARD_TOKEN  > the file's entry for that server
 */
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../keys/write-atomic.js';
import { usageError } from './cli-error.js';

const entrySchema = z.object({
  token: z.string().min(1),
  username: z.string().nullable(),
  expiresAt: z.string().nullable(),
  savedAt: z.string(),
});
const fileSchema = z.object({
  version: z.literal(1),
  default: z.string().nullable(),
  servers: z.record(z.string(), entrySchema),
});

export type SavedSession = z.infer<typeof entrySchema>;
export type CredentialsFile = z.infer<typeof fileSchema>;

export const EMPTY_CREDENTIALS: CredentialsFile = { version: 1, default: null, servers: {} };

export function credentialsPath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homeDir, '.config');
  return join(base, 'rescard', 'credentials.json');
}

/** An http(s) base URL without a trailing slash; a usage error otherwise. */
export function normaliseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--server: "${value.slice(0, 200)}" is not a URL (e.g. https://rescard.example:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--server: ${url.protocol} is not http: or https:`);
  if (url.username !== '' || url.password !== '') throw usageError('--server: put no user or password in the URL (use rescard login)');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The file, or the empty one when there is none; a usage error (exit 2) when it is unreadable. */
export async function readCredentials(path: string): Promise<{ file: CredentialsFile; looseMode: boolean }> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mode)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: EMPTY_CREDENTIALS, looseMode: false };
    throw usageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw usageError(`${path} is not JSON: delete it and run rescard login again`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw usageError(`${path} is not a rescard credentials file: delete it and run rescard login again`);
  return { file: parsed.data, looseMode: (mode & 0o077) !== 0 };
}

/** Save (or replace) the session for one server and make it the default; 0600, written atomically. */
export async function saveSession(path: string, server: string, session: SavedSession): Promise<void> {
  const { file } = await readCredentials(path);
  const next: CredentialsFile = { version: 1, default: server, servers: { ...file.servers, [server]: session } };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
}

/** Forget the session for one server; true when there was one. */
export async function forgetSession(path: string, server: string): Promise<boolean> {
  const { file } = await readCredentials(path);
  if (file.servers[server] === undefined) return false;
  const servers = Object.fromEntries(Object.entries(file.servers).filter(([url]) => url !== server));
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, default: file.default === server ? null : file.default, servers }, null, 2)}\n`, 0o600);
  return true;
}

export type TokenSource = 'flag' | 'env' | 'file' | 'none';

export interface Connection {
  readonly server: string;
  readonly token: string | null;
  readonly tokenSource: TokenSource;
}

export interface ConnectionInputs {
  readonly flagServer?: string | undefined;
  readonly flagToken?: string | undefined;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

/** --server > RESCARD_SERVER > the last login; a usage error when none is known. */
export function resolveServer(flagServer: string | undefined, env: Readonly<Record<string, string | undefined>>, file: CredentialsFile): string {
  const raw = given(flagServer) ? flagServer : given(env['RESCARD_SERVER']) ? env['RESCARD_SERVER'] : file.default;
  if (raw === null || raw === undefined) throw usageError('no server: give --server URL, set RESCARD_SERVER, or run rescard login --server URL');
  return normaliseServerUrl(raw);
}

/** Which server and token to use (see the header). Throws a usage error when no server is known. */
export function resolveConnection(inputs: ConnectionInputs, env: Readonly<Record<string, string | undefined>>, file: CredentialsFile): Connection {
  const server = resolveServer(inputs.flagServer, env, file);
  if (given(inputs.flagToken)) return { server, token: inputs.flagToken, tokenSource: 'flag' };
  const envToken = env['RESCARD_TOKEN'];
  if (given(envToken)) return { server, token: envToken, tokenSource: 'env' };
  const saved = file.servers[server];
  return saved ? { server, token: saved.token, tokenSource: 'file' } : { server, token: null, tokenSource: 'none' };
}
