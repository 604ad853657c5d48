import { Readable } from 'node:stream';
import { RescardError } from '@rescard/shared';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteIngestStore } from '../adapters/sqlite/sqlite-ingest-store.js';
import { loadServerConfig } from '../config/server-config.js';
import type { ListService } from '../lists/index.js';
import { KEYRING, TestClock, captureLog, filesContaining, listService, panToken, readSnapshot, recordTokens, tempDir, testPan } from '../registry/registry-fixtures.js';
import { makeHeartbeat, makeTap } from '../testing/tap-fixtures.js';
import { openServer } from './open-server.js';
import { registryPlugin, type RegistryPluginOptions } from './registry-plugin.js';
import type { ServerPlugin } from './server.js';

const PANS = [testPan(901), testPan(902), testPan(903)] as [string, string, string];
const masked = (pan: string): string => `${pan.slice(0, 6)}******${pan.slice(-4)}`;

type Server = Awaited<ReturnType<typeof openServer>>;
const running: Server[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function start(more: Partial<RegistryPluginOptions> = {}): Promise<{ server: Server; lists: () => ListService; dir: string; logLines: string[] }> {
  const dir = tempDir();
  const { log, lines } = captureLog();
  let service: ListService | null = null;
  const lists = (): ListService => {
    if (service === null) throw new Error('list service not started');
    return service;
  };
  // What lists-plugin does in main.ts: the list service on the data folder, before the registries.
  const listsPlugin: ServerPlugin = async (ctx) => {
    service = await listService(ctx.dataDir ?? '', log, new TestClock(Date.now()));
    return { close: () => lists().stop() };
  };
  const config = loadServerConfig({ dataDir: dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' });
  const server = await openServer(config, log, [listsPlugin, registryPlugin({ lists, tokenKeys: KEYRING, ...more })]);
  running.push(server);
  return { server, lists, dir, logLines: lines };
}

const csv = async (server: Server, kind: string, body: string | Readable, query = ''): Promise<LightMyRequestResponse> =>
  await server.http.inject({ method: 'POST', url: `/api/imports/${kind}${query}`, headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: body });

describe('registry HTTP API', () => {
  it('imports a holders CSV (201 rows of text/csv), answers with the record, and GET /api/imports/:id shows it', async () => {
    const { server, lists } = await start({ actorOf: () => 'op-galina' });
    const rows = Array.from({ length: 201 }, (_, i) => `${testPan(i + 1)};pensioner`).join('\n');
    const res = await csv(server, 'holders', `PAN;Категория\n${rows}\n`, '?importId=imp-test-0001');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'imp-test-0001', status: 'applied', rows: 201, actor: 'op-galina', versions: [{ list: 'benefit', audience: 'region', version: 1 }] });
    const got = await server.http.inject({ method: 'GET', url: '/api/imports/imp-test-0001' });
    expect(got.json()).toMatchObject({ id: 'imp-test-0001', status: 'applied', sha256: res.json<{ sha256: string }>().sha256 });
    expect((await readSnapshot(lists(), 'benefit', 'region')).records).toHaveLength(201);
    expect((await server.http.inject({ method: 'GET', url: '/api/imports/nope' })).statusCode).toBe(404);
  });

  it('a malformed CSV is a 400 IMPORT_INVALID listing line numbers; an oversized upload a 413 IMPORT_TOO_LARGE; nothing applied', async () => {
    const { server, lists } = await start({ maxImportBytes: 4096 });
    const bad = await csv(server, 'roster', `PAN;school;role\n${PANS[0]};S1;staff\n${PANS[1]};S1;boss\n`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'IMPORT_INVALID', details: { errorCount: 1, errors: [{ line: 3, message: expect.stringContaining('role "boss"') as unknown }] } } });
    const big = `PAN;category\n${Array.from({ length: 300 }, (_, i) => `${testPan(i)};pensioner`).join('\n')}\n`;
    const sized = await csv(server, 'holders', big);
    expect(sized.statusCode).toBe(413);
    expect(sized.json()).toMatchObject({ error: { code: 'IMPORT_TOO_LARGE' } });
    // Streamed without a Content-Length: refused once the limit is passed.
    const streamed = await csv(server, 'holders', Readable.from([Buffer.from(big.slice(0, 3000)), Buffer.from(big.slice(3000))]));
    expect(streamed.statusCode).toBe(413);
    expect(lists().states().map((l) => [l.list, l.version])).toEqual([['stoplist', 1]]); // only the empty stop-list of the start
    const wrongType = await server.http.inject({ method: 'POST', url: '/api/imports/holders', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(wrongType.statusCode).toBe(400);
    expect((await csv(server, 'pets', 'PAN\n')).statusCode).toBe(400);
  });

  it('stop-lists by PAN and answers {version, token, panMasked}; removes by token; refuses bad bodies with REQUEST_INVALID', async () => {
    const { server, lists } = await start({ actorOf: (req) => String(req.headers['x-operator'] ?? 'nobody') });
    const add = await server.http.inject({ method: 'POST', url: '/api/stoplist', headers: { 'x-operator': 'op-dmitri' }, payload: { pan: PANS[0], reason: 'LOST', note: 'call 12-34' } });
    expect(add.statusCode).toBe(200);
    expect(add.json()).toEqual({ version: 2, token: panToken(PANS[0]), kid: KEYRING.primaryKid, panMasked: masked(PANS[0]), reason: 'LOST', expiresAt: null });
    expect(recordTokens((await readSnapshot(lists(), 'stoplist', 'region')).records)).toEqual([panToken(PANS[0])]);
    for (const payload of [{ pan: PANS[0], token: panToken(PANS[0]), reason: 'LOST' }, { pan: PANS[0], reason: 'MAYBE' }, { reason: 'LOST' }, { pan: 'abc', reason: 'LOST' }]) {
      const res = await server.http.inject({ method: 'POST', url: '/api/stoplist', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('REQUEST_INVALID');
    }
    const del = await server.http.inject({ method: 'DELETE', url: `/api/stoplist/${panToken(PANS[0])}` });
    expect(del.json()).toMatchObject({ version: 3, token: panToken(PANS[0]), panMasked: masked(PANS[0]) });
    const again = await server.http.inject({ method: 'DELETE', url: '/api/stoplist', payload: { pan: PANS[0] } });
    expect(again.statusCode).toBe(404);
  });

  it('propagation: devices at or past the version, and those behind with their last seen time', async () => {
    const { server } = await start();
    const ingest = new SqliteIngestStore(server.db);
    ingest.transaction(() => {
      ingest.saveStatus(makeHeartbeat('bus-1', { stoplist: 3 }), 1000);
      ingest.saveStatus(makeHeartbeat('bus-2', { stoplist: 2 }), 2000);
      ingest.saveStatus(makeHeartbeat('gate-1', { stoplist: 1, roster: 4 }), 3000);
      ingest.saveStatus(makeHeartbeat('canteen-1', { roster: 4 }), 4000);
    });
    const res = await server.http.inject({ method: 'GET', url: '/api/stoplist/propagation?version=2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      list: 'stoplist', version: 2, notReporting: 1,
      atOrPast: [{ deviceId: 'bus-1', version: 3, lastSeenMs: 1000 }, { deviceId: 'bus-2', version: 2, lastSeenMs: 2000 }],
      behind: [{ deviceId: 'gate-1', version: 1, online: true, lastSeenMs: 3000 }],
    });
    expect((await server.http.inject({ method: 'GET', url: '/api/stoplist/propagation?version=zero' })).statusCode).toBe(400);
  });

  it('why was this card denied: its benefit entry, its stop-list entry (who, why, note) and its last taps, by PAN or by token', async () => {
    const { server, dir, logLines } = await start({ actorOf: () => 'op-elena' });
    await csv(server, 'holders', `PAN;category;valid_to\n${PANS[1]};student;2026-06-30\n`);
    await server.http.inject({ method: 'POST', url: '/api/stoplist', payload: { pan: PANS[1], reason: 'STOLEN', note: 'holder called' } });
    const ingest = new SqliteIngestStore(server.db);
    const tap = (seq: number, outcome: 'ALLOW' | 'DENY', reason: string) => ({
      deviceId: 'bus-7', receivedAtMs: 5, late: false, batchId: 'b1', viaGatewayId: null,
      tap: makeTap(seq, { token: panToken(PANS[1]), kid: KEYRING.primaryKid, panMasked: masked(PANS[1]), outcome, reason, ...(outcome === 'DENY' ? { counted: null, fare: undefined } : {}) }),
    });
    ingest.transaction(() => {
      ingest.insertTap(tap(1, 'ALLOW', 'OK_DISCOUNT'));
      ingest.insertTap(tap(2, 'DENY', 'STOPLISTED'));
      ingest.insertTap({ ...tap(3, 'ALLOW', 'OK_FREE'), tap: makeTap(3) }); // another card
    });
    const byPan = await server.http.inject({ method: 'POST', url: '/api/cards/why', payload: { pan: PANS[1] } });
    expect(byPan.statusCode).toBe(200);
    const body = byPan.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      token: panToken(PANS[1]), panMasked: masked(PANS[1]),
      entries: [{ list: 'benefit', audience: 'region', category: 'student', validTo: '2026-06-30', importedBy: 'op-elena' }],
      stoplist: { reason: 'STOLEN', note: 'holder called', addedBy: 'op-elena' },
      taps: [{ seq: 2, outcome: 'DENY', reason: 'STOPLISTED', deviceId: 'bus-7' }, { seq: 1, outcome: 'ALLOW', reason: 'OK_DISCOUNT' }],
    });
    const byToken = await server.http.inject({ method: 'POST', url: '/api/cards/why', payload: { token: panToken(PANS[1]), tapLimit: 1 } });
    expect(byToken.json()).toMatchObject({ stoplist: { reason: 'STOLEN' }, taps: [{ seq: 2 }] });
    await server.stop();
    expect(filesContaining(dir, PANS)).toEqual([]);
    expect(logLines.filter((l) => PANS.some((p) => l.includes(p)))).toEqual([]);
  });

  it('authorize refuses before anything is read or applied, and is asked for each route\'s action', async () => {
    const asked: string[] = [];
    const { server, lists } = await start({
      authorize: (req, action) => {
        asked.push(action);
        if (req.headers['x-role'] !== 'operator') throw new RescardError('REQUEST_INVALID', `not allowed: ${action}`, { status: 403 });
      },
    });
    const refused = await csv(server, 'holders', `PAN;category\n${PANS[2]};pensioner\n`);
    expect(refused.statusCode).toBe(403);
    expect((await server.http.inject({ method: 'POST', url: '/api/stoplist', payload: { pan: PANS[2], reason: 'LOST' } })).statusCode).toBe(403);
    expect(lists().states().map((l) => [l.list, l.version])).toEqual([['stoplist', 1]]); // only the empty stop-list of the start
    const ok = await server.http.inject({ method: 'POST', url: '/api/stoplist', headers: { 'x-role': 'operator' }, payload: { pan: PANS[2], reason: 'LOST' } });
    expect(ok.statusCode).toBe(200);
    await server.http.inject({ method: 'POST', url: '/api/cards/why', headers: { 'x-role': 'operator' }, payload: { pan: PANS[2] } });
    await server.http.inject({ method: 'GET', url: '/api/stoplist/propagation?version=1', headers: { 'x-role': 'operator' } });
    await server.http.inject({ method: 'GET', url: '/api/imports', headers: { 'x-role': 'operator' } });
    expect(asked).toEqual(['import.holders', 'stoplist.add', 'stoplist.add', 'cards.why', 'stoplist.read', 'import.read']);
  });
});
