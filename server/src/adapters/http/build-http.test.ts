import { afterEach, describe, expect, it } from 'vitest';
import { applySeqs, EMPTY_SEQ_STATE } from '../../core/seq-state.js';
import { FakeServerStore } from '../../ports/fake-server-store.js';
import { makeHeartbeat, makeTap } from '../../testing/tap-fixtures.js';
import { buildHttp } from './build-http.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => Promise.all(apps.splice(0).map((a) => a.close())));

function setup() {
  const store = new FakeServerStore();
  store.transaction(() => {
    for (const seq of [1, 2, 5]) store.insertTap({ deviceId: 'd1', tap: makeTap(seq), receivedAtMs: 9, late: false, batchId: 'b', viaGatewayId: null });
    const r = applySeqs(EMPTY_SEQ_STATE, [1, 2, 5], 7);
    store.saveSeqState('d1', r.state, r.changes, 7);
    store.saveStatus(makeHeartbeat('d1', { stoplist: 7 }), 8);
  });
  const app = buildHttp({ query: store, health: () => ({ ingest: { taps: 3 } }), logger: false });
  apps.push(app);
  return app;
}

describe('HTTP API', () => {
  it('GET /health', async () => {
    const res = await setup().inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, ingest: { taps: 3 } });
  });

  it('GET /api/devices and /api/devices/:id/gaps', async () => {
    const app = setup();
    const devices = (await app.inject('/api/devices')).json<{ devices: { deviceId: string; online: boolean; seq: unknown }[] }>();
    expect(devices.devices).toMatchObject([{ deviceId: 'd1', online: true, seq: { committedUpTo: 2, maxSeq: 5, openGaps: 1 } }]);
    const gaps = await app.inject('/api/devices/d1/gaps');
    expect(gaps.json()).toEqual({ deviceId: 'd1', committedUpTo: 2, maxSeq: 5, gaps: [{ fromSeq: 3, toSeq: 4, openedAtMs: 7, closedAtMs: null }] });
    const unknown = await app.inject('/api/devices/nope/gaps');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: { code: 'REQUEST_INVALID', message: 'unknown device nope' } });
  });

  it('GET /api/taps with deviceId, fromSeq, limit', async () => {
    const res = await setup().inject('/api/taps?deviceId=d1&fromSeq=2&limit=1');
    expect(res.json<{ taps: { seq: number; panMasked: string }[] }>().taps).toMatchObject([{ seq: 2, panMasked: '220000******0004' }]);
  });

  it('GET /api/lists/propagation', async () => {
    const res = await setup().inject('/api/lists/propagation?list=stoplist&version=7');
    expect(res.json()).toEqual({ list: 'stoplist', version: 7, atOrAbove: 1, reporting: 1, onlineAtOrAbove: 1 });
  });

  it('answers bad parameters and unknown routes with {error:{code,message}}', async () => {
    const app = setup();
    for (const url of ['/api/lists/propagation?list=x&version=1', '/api/taps?limit=0', '/api/devices/a%2Fb/gaps', '/api/lists/propagation']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('REQUEST_INVALID');
    }
    const res = await app.inject('/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('REQUEST_INVALID');
  });

  it('names an operator-access action on every /api/ route and registers them after OpenAPI', async () => {
    const app = buildHttp({ query: new FakeServerStore(), health: () => ({}), logger: false });
    apps.push(app);
    const seen: { url: string; action: unknown }[] = [];
    app.addHook('onRoute', (r) => {
      if (r.url.startsWith('/api/') && r.method !== 'HEAD') seen.push({ url: r.url, action: (r.config as { auth?: { action?: string } } | undefined)?.auth?.action });
    });
    await app.ready();
    expect(seen).toEqual([
      { url: '/api/devices', action: 'device:read' }, { url: '/api/devices/:id/gaps', action: 'device:read' },
      { url: '/api/taps', action: 'tap:read' }, { url: '/api/lists/propagation', action: 'list:read' },
    ]);
    const doc = app.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(['/health', '/api/devices', '/api/devices/{id}/gaps', '/api/taps', '/api/lists/propagation']);
  });
});
