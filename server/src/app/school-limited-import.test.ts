/**
 * A school's own staff upload its roster: `POST /api/imports/roster?school=<id>` with a school
 * account (real operator auth, real list service and registries). Every row must name that
 * school (other rows are line errors, nothing applied); without `?school` or for another
 * school the account is refused (403); benefit holders are region-wide (400).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../auth/accounts.js';
import { issueApiToken } from '../auth/credentials.js';
import { loadServerConfig } from '../config/server-config.js';
import { KEYRING, tempDir, testPan } from '../registry/registry-fixtures.js';
import { authPlugin, type AuthHandle } from './auth-plugin.js';
import { createListsPlugin } from './lists-plugin.js';
import { openServer } from './open-server.js';
import { registryPlugin } from './registry-plugin.js';

const FAST = { ln: 10, r: 8, p: 1 };
let dir: string;
let server: Awaited<ReturnType<typeof openServer>>;
let lists: ReturnType<typeof createListsPlugin>;
let schoolToken: string;
let adminToken: string;

beforeAll(async () => {
  dir = tempDir();
  let auth: AuthHandle | null = null;
  const plugin = authPlugin({ scryptCost: FAST });
  lists = createListsPlugin();
  server = await openServer(loadServerConfig({ dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }), pino({ level: 'silent' }), [
    async (ctx) => (auth = (await plugin(ctx)) as AuthHandle),
    lists.plugin,
    registryPlugin({ lists: () => lists.service(), tokenKeys: KEYRING }),
  ]);
  const handle = auth as AuthHandle | null;
  if (handle === null) throw new Error('auth plugin did not run');
  const { account } = await createAccount(handle.db, { username: 'school7-secretary', role: 'school', scope: { schools: ['school-7'] }, password: 'a long enough password', nowMs: Date.now(), cost: FAST });
  schoolToken = issueApiToken(handle.db, { accountId: account.id, name: 'test', nowMs: Date.now(), expiresAtMs: null }).token;
  adminToken = (JSON.parse(await readFile(join(dir, 'auth', 'bootstrap.json'), 'utf8')) as { token: string }).token;
}, 60_000);

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const upload = (kind: string, query: string, body: string, token = schoolToken) =>
  server.http.inject({ method: 'POST', url: `/api/imports/${kind}${query}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' }, payload: body });
const version = (audience: string): number => lists.service().states().find((s) => s.list === 'roster' && s.audience === audience)?.version ?? 0;

describe('a school account imports its own roster', () => {
  it('its school: applied; a row of another school: a line error and nothing applied; other scopes: refused', async () => {
    const ok = await upload('roster', '?school=school-7', `PAN;Школа;Класс;Роль\n${testPan(71)};school-7;5A;ученик\n${testPan(72)};school-7;;учитель\n`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'applied', rows: 2, versions: [{ list: 'roster', audience: 'school:school-7', version: 1 }] });

    const mixed = await upload('roster', '?school=school-7', `PAN;Школа;Класс;Роль\n${testPan(73)};school-7;5B;student\n${testPan(74)};school-9;1A;student\n`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json()).toMatchObject({ error: { code: 'IMPORT_INVALID', message: expect.stringContaining('line 3: school school-9: this import is limited to school school-7') } });
    expect([version('school:school-7'), version('school:school-9')]).toEqual([1, 0]);

    expect((await upload('roster', '?school=school-9', `PAN,school,class,role\n${testPan(75)},school-9,1A,student\n`)).statusCode).toBe(403);
    expect((await upload('roster', '', `PAN,school,class,role\n${testPan(75)},school-7,1A,student\n`)).statusCode).toBe(403);
    const holders = await upload('holders', '?school=school-7', `PAN,category\n${testPan(76)},pensioner\n`, adminToken);
    expect(holders.statusCode).toBe(400);
    expect(holders.json()).toMatchObject({ error: { code: 'REQUEST_INVALID', message: expect.stringContaining('region-wide') } });
    expect(version('school:school-9')).toBe(0);
  });
});
