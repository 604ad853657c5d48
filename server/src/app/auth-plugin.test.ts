import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from '../auth/accounts.js';
import { issueApiToken } from '../auth/credentials.js';
import type { Role } from '../auth/principal.js';
import { loadServerConfig } from '../config/server-config.js';
import { entry } from '../lists/list-fixtures.js';
import { authPlugin, type AuthHandle, type AuthOptions } from './auth-plugin.js';
import { listsPlugin } from './lists-plugin.js';
import { observabilityPlugin } from './observability-plugin.js';
import { openServer } from './open-server.js';

const FAST = { ln: 10, r: 8, p: 1 };
const T0 = Date.parse('2025-03-03T08:00:00Z');
const PAN = '2200000000000004';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(opts: Partial<AuthOptions> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rescard-auth-'));
  const logLines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  const clock = { now: T0 };
  let auth: AuthHandle | null = null;
  const plugin = authPlugin({ scryptCost: FAST, now: () => clock.now, ...opts });
  const server = await openServer(loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'trace' }), log, [
    observabilityPlugin({ defaultMetrics: false }),
    async (ctx) => (auth = (await plugin(ctx)) as AuthHandle),
    listsPlugin,
  ]);
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => server.stop());
  if (auth === null) throw new Error('auth plugin did not run');
  const handle: AuthHandle = auth;
  const boot = JSON.parse(await readFile(join(dataDir, 'auth', 'bootstrap.json'), 'utf8')) as { username: string; password: string; token: string };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) =>
    server.http.inject({ method, url, headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) }, ...(body === undefined ? {} : { payload: body as object }) });
  /** An account of `role` with an API token, made with the exported functions (no HTTP). */
  const tokenFor = async (role: Role, scope: { schools?: string[]; carriers?: string[]; routes?: string[] } = {}): Promise<string> => {
    const { account } = await createAccount(handle.db, { username: `${role}-${Math.random().toString(36).slice(2, 8)}`, role, scope, password: 'a long enough password', nowMs: clock.now, cost: FAST });
    return issueApiToken(handle.db, { accountId: account.id, name: 'test', nowMs: clock.now, expiresAtMs: null }).token;
  };
  return { dataDir, server, handle, boot, call, tokenFor, clock, logLines };
}

describe('operator access on the HTTP API', () => {
  it('first start writes bootstrap.json (0600) with a working admin token and logs only its path', async () => {
    const { dataDir, boot, call, logLines, handle } = await start();
    const path = join(dataDir, 'auth', 'bootstrap.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(handle.bootstrapFile).toBe(path);
    expect(boot.username).toBe('admin');
    const me = await call('GET', '/api/auth/me', boot.token);
    expect(me.json()).toMatchObject({ username: 'admin', role: 'admin', credential: { kind: 'api' } });
    const log = logLines.join('');
    expect(log).toContain(path);
    expect(log).not.toContain(boot.password);
    expect(log).not.toContain(boot.token);
  });

  it('logs in with the right password; a wrong password or an unknown name is 401 AUTH_INVALID', async () => {
    const { boot, call } = await start();
    const ok = await call('POST', '/api/auth/login', null, { username: 'admin', password: boot.password });
    expect(ok.statusCode).toBe(200);
    const { token, expiresAt } = ok.json<{ token: string; expiresAt: string }>();
    expect(token).toMatch(/^rcs_/);
    expect(expiresAt).toBe(new Date(T0 + 12 * 3_600_000).toISOString());
    expect((await call('GET', '/api/devices', token)).statusCode).toBe(200);
    for (const body of [{ username: 'admin', password: `${boot.password}x` }, { username: 'nobody', password: boot.password }]) {
      const bad = await call('POST', '/api/auth/login', null, body);
      expect(bad.statusCode).toBe(401);
      expect(bad.json()).toEqual({ error: { code: 'AUTH_INVALID', message: 'wrong username or password' } });
    }
  });

  it('answers 429 RATE_LIMITED with Retry-After after 5 failed logins for a name, even with the right password, until the window passes', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const { boot, call } = await start({ loginLimits: { perUsername: { max: 5, windowMs: 60_000 }, perAddress: { max: 100, windowMs: 60_000 } } });
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/auth/login', null, { username: 'admin', password: 'wrong password!' })).statusCode).toBe(401);
    const limited = await call('POST', '/api/auth/login', null, { username: 'ADMIN', password: boot.password });
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ error: { code: string } }>().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another name is not affected by this one's failures.
    expect((await call('POST', '/api/auth/login', null, { username: 'someone', password: 'wrong password!' })).statusCode).toBe(401);
    vi.setSystemTime(T0 + 61_000);
    expect((await call('POST', '/api/auth/login', null, { username: 'admin', password: boot.password })).statusCode).toBe(200);
  });

  it('limits login attempts per address too', async () => {
    const { call } = await start({ loginLimits: { perUsername: { max: 100, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 } } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await call('POST', '/api/auth/login', null, { username: `name${i}`, password: 'wrong password!' })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
  });

  it('refuses an expired session token with 401 AUTH_INVALID', async () => {
    const { boot, call, clock } = await start({ sessionTtlMs: 60_000 });
    const { token } = (await call('POST', '/api/auth/login', null, { username: 'admin', password: boot.password })).json<{ token: string }>();
    expect((await call('GET', '/api/devices', token)).statusCode).toBe(200);
    clock.now += 60_000;
    const res = await call('GET', '/api/devices', token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'AUTH_INVALID', message: 'the token has expired: log in again' } });
    expect(res.headers['www-authenticate']).toContain('invalid_token');
  });

  it('refuses a revoked API token and a logged-out session with 401', async () => {
    const { boot, call } = await start();
    const made = await call('POST', '/api/auth/tokens', boot.token, { name: 'nightly export', expiresInDays: 30 });
    expect(made.statusCode).toBe(201);
    const t = made.json<{ id: string; token: string; expiresAt: string }>();
    expect(t.expiresAt).toBe(new Date(T0 + 30 * 86_400_000).toISOString());
    expect((await call('GET', '/api/taps', t.token)).statusCode).toBe(200);
    expect((await call('DELETE', `/api/auth/tokens/${t.id}`, boot.token)).statusCode).toBe(200);
    const res = await call('GET', '/api/taps', t.token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'AUTH_INVALID', message: 'the token was revoked' } });

    const { token } = (await call('POST', '/api/auth/login', null, { username: 'admin', password: boot.password })).json<{ token: string }>();
    expect((await call('POST', '/api/auth/logout', token)).json()).toEqual({ revoked: true });
    expect((await call('GET', '/api/devices', token)).statusCode).toBe(401);
  });

  it('needs a bearer token on every /api/ route (401 AUTH_REQUIRED) and leaves /health, /docs, /metrics and /lists public', async () => {
    const { call } = await start();
    for (const [method, url] of [['GET', '/api/devices'], ['GET', '/api/taps'], ['GET', '/api/lists'], ['PUT', '/api/lists/roster/school:s1/entries'], ['GET', '/api/audit'], ['GET', '/api/nothing'], ['GET', '/%61pi/devices']] as const) {
      const res = await call(method, url, null);
      expect(res.statusCode, url).toBe(401);
      expect(res.json<{ error: { code: string } }>().error.code, url).toBe('AUTH_REQUIRED');
    }
    expect((await call('GET', '/api/devices', 'rca_not-a-real-token')).json<{ error: { code: string } }>().error.code).toBe('AUTH_INVALID');
    expect((await call('GET', '/health', null)).statusCode).toBe(200);
    expect((await call('GET', '/docs/json', null)).statusCode).toBe(200);
    expect((await call('GET', '/metrics', null)).statusCode).toBe(200);
    expect((await call('GET', '/lists/region/stoplist/snapshot-1.ndjson', null)).statusCode).not.toBe(401);
  });

  it('checks each role against the table of actions (403 FORBIDDEN where it must)', async () => {
    const { call, tokenFor, boot } = await start();
    const roster = { entries: [entry(1)] };
    const requests = [
      ['GET /api/devices', 'GET', '/api/devices', undefined],
      ['GET /api/taps', 'GET', '/api/taps', undefined],
      ['GET /api/lists', 'GET', '/api/lists', undefined],
      ['PUT roster s1', 'PUT', '/api/lists/roster/school:s1/entries', roster],
      ['PUT stoplist', 'PUT', '/api/lists/stoplist/region/entries', { entries: [entry(2)] }],
      ['GET /api/audit', 'GET', '/api/audit', undefined],
      ['GET accounts', 'GET', '/api/auth/accounts', undefined],
      ['POST accounts', 'POST', '/api/auth/accounts', { username: `u${Math.random().toString(36).slice(2)}`, role: 'operator' }],
      ['GET me', 'GET', '/api/auth/me', undefined],
    ] as const;
    const expected: Record<Role, number[]> = {
      admin: [200, 200, 200, 200, 200, 200, 200, 201, 200],
      operator: [200, 200, 200, 200, 200, 403, 403, 403, 200],
      school: [403, 403, 403, 200, 403, 403, 403, 403, 200],
      carrier: [403, 403, 403, 403, 403, 403, 403, 403, 200],
      auditor: [200, 200, 200, 403, 403, 200, 200, 403, 200],
      technician: [200, 403, 200, 403, 403, 403, 403, 403, 200],
    };
    for (const role of Object.keys(expected) as Role[]) {
      const token = role === 'admin' ? boot.token : await tokenFor(role, { schools: ['s1'], carriers: ['c1'], routes: ['r42'] });
      const got: number[] = [];
      for (const [, method, url, body] of requests) {
        const payload = body && 'username' in body ? { ...body, username: `${body.username}${role}` } : body;
        const res = await call(method, url, token, payload);
        if (res.statusCode === 403) expect(res.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
        got.push(res.statusCode);
      }
      expect(got, `${role}: ${requests.map((r) => r[0]).join(', ')}`).toEqual(expected[role]);
    }
  });

  it("lets a school account change its own school's roster but not another school's", async () => {
    const { call, tokenFor } = await start();
    const token = await tokenFor('school', { schools: ['s1'] });
    const own = await call('PUT', '/api/lists/roster/school:s1/entries', token, { entries: [entry(1)] });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ list: 'roster', audience: 'school:s1', version: 1 });
    for (const url of ['/api/lists/roster/school:s2/entries', '/api/lists/canteen/school:s2/entries']) {
      const res = await call('PUT', url, token, { entries: [entry(1)] });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: "school s2 is outside the account's scope" } });
    }
    expect((await call('DELETE', '/api/lists/roster/school:s2/entries', token, { tokens: [entry(1).token] })).statusCode).toBe(403);
    expect((await call('POST', '/api/lists/roster/school:s2/snapshot', token, { entries: [] })).statusCode).toBe(403);
  });

  it('lets an auditor read everything but change nothing', async () => {
    const { call, tokenFor, boot } = await start();
    const token = await tokenFor('auditor');
    const accountId = (await call('GET', '/api/auth/me', boot.token)).json<{ accountId: string }>().accountId;
    for (const [method, url, body] of [
      ['PUT', '/api/lists/stoplist/region/entries', { entries: [entry(1)] }], ['DELETE', '/api/lists/stoplist/region/entries', { tokens: [entry(1).token] }],
      ['POST', '/api/lists/benefit/region/snapshot', { entries: [] }], ['POST', '/api/auth/accounts', { username: 'x', role: 'admin' }],
      ['PATCH', `/api/auth/accounts/${accountId}`, { disabled: true }], ['POST', '/api/auth/tokens', { name: 'for admin', accountId }],
    ] as const) {
      const res = await call(method, url, token, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await call('GET', '/api/audit', token)).statusCode).toBe(200);
    expect((await call('GET', '/api/auth/me', boot.token)).statusCode).toBe(200); // the admin was not disabled
  });

  it('records every change in the audit log with who, what, why and the outcome, pages it and filters by time', async () => {
    const { call, tokenFor, boot, clock } = await start();
    const school = await tokenFor('school', { schools: ['s1'] });
    clock.now = T0 + 1000;
    await call('PUT', '/api/lists/roster/school:s1/entries', school, { entries: [entry(1)] }, { 'x-rescard-reason': encodeURIComponent('новый ученик 5А') });
    clock.now = T0 + 2000;
    await call('PUT', '/api/lists/roster/school:s2/entries', school, { entries: [entry(1)], reason: 'wrong school' });
    clock.now = T0 + 3000;
    await call('POST', '/api/auth/accounts', boot.token, { username: 'olga', role: 'operator', password: 'a very long password', reason: 'new operator' });
    await call('POST', '/api/auth/login', null, { username: 'olga', password: 'not her password' });

    const all = (await call('GET', '/api/audit?limit=1000', boot.token)).json<{ entries: Record<string, unknown>[]; next: number | null }>();
    const events = all.entries.map((e) => e['event']);
    expect(events[0]).toBe('bootstrap');
    const [put1, put2] = all.entries.filter((e) => e['event'] === 'http');
    expect(put1).toMatchObject({
      atMs: T0 + 1000, method: 'PUT', route: '/api/lists/:list/:audience/entries', status: 200, why: 'новый ученик 5А',
      actor: { role: 'school' }, target: { params: { list: 'roster', audience: 'school:s1' }, body: { fields: ['entries'], counts: { entries: 1 } } },
    });
    expect(put2).toMatchObject({ status: 403, why: 'wrong school', target: { params: { audience: 'school:s2' }, body: { fields: ['entries', 'reason'] } } });
    expect(all.entries.find((e) => e['event'] === 'account.create')).toMatchObject({ actor: { username: 'admin' }, why: 'new operator', status: 201, target: { username: 'olga', role: 'operator' } });
    expect(all.entries.find((e) => e['event'] === 'login.failure')).toMatchObject({ actor: { id: null }, status: 401, target: { username: 'olga' } });
    expect(JSON.stringify(all)).not.toContain('a very long password');

    const window = (await call('GET', `/api/audit?from=${new Date(T0 + 1000).toISOString()}&to=${new Date(T0 + 2500).toISOString()}`, boot.token)).json<{ entries: { atMs: number }[] }>();
    expect(window.entries.map((e) => e.atMs)).toEqual([T0 + 1000, T0 + 2000]);
    const page1 = (await call('GET', '/api/audit?limit=2', boot.token)).json<{ entries: { id: number }[]; next: number }>();
    const page2 = (await call('GET', `/api/audit?limit=2&afterId=${page1.next}`, boot.token)).json<{ entries: { id: number }[] }>();
    expect([...page1.entries, ...page2.entries].map((e) => e.id)).toEqual(all.entries.slice(0, 4).map((e) => e['id']));
  });

  it('keeps the audit table append-only: UPDATE and DELETE are refused by the database', async () => {
    const { handle } = await start();
    const before = handle.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number };
    expect(before.n).toBeGreaterThan(0);
    expect(() => handle.db.prepare("UPDATE audit SET why = 'edited'").run()).toThrow(/append-only/);
    expect(() => handle.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(handle.db.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual(before);
  });

  it('keeps passwords, token secrets and PANs out of auth.db and the logs (only hashes are stored)', async () => {
    const { dataDir, server, boot, call, logLines } = await start();
    const login = (await call('POST', '/api/auth/login', null, { username: 'admin', password: boot.password })).json<{ token: string }>();
    const created = (await call('POST', '/api/auth/accounts', boot.token, { username: 'ivan', role: 'operator' })).json<{ password: string }>();
    const api = (await call('POST', '/api/auth/tokens', login.token, { name: 'cli' })).json<{ token: string }>();
    // A PAN where it does not belong: a body field, the reason, the header, a field name.
    await call('PUT', '/api/lists/stoplist/region/entries', api.token, { entries: [entry(3)], pan: PAN, reason: `card ${PAN.replace(/(\d{4})/g, '$1 ').trim()} lost`, [PAN]: 1 }, { 'x-rescard-reason': `lost ${PAN}` });
    await call('POST', '/api/auth/login', null, { username: PAN, password: PAN });
    await server.stop();
    const secrets = [boot.password, boot.token, login.token, api.token, created.password, PAN, '2200 0000 0000 0004'];
    const dir = join(dataDir, 'auth');
    const files = (await readdir(dir)).filter((f) => f.startsWith('auth.db'));
    expect(files).toContain('auth.db');
    for (const f of files) {
      const bytes = (await readFile(join(dir, f))).toString('latin1');
      for (const s of secrets) expect(bytes.includes(s), `${s.slice(0, 6)}… in ${f}`).toBe(false);
    }
    const log = logLines.join('');
    for (const s of secrets) expect(log.includes(s), `${s.slice(0, 6)}… in the log`).toBe(false);
  });
});
