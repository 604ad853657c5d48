import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Counter } from 'prom-client';
import mqtt from 'mqtt';
import { encodePayload, topics } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttp } from '../adapters/http/build-http.js';
import { FakeServerStore } from '../ports/fake-server-store.js';
import { loadServerConfig } from '../config/server-config.js';
import { authPlugin } from './auth-plugin.js';
import { listsPlugin } from './lists-plugin.js';
import { installObservability, metricsRegistry, observabilityPlugin } from './observability-plugin.js';
import { makeBatch } from '../testing/tap-fixtures.js';
import { openServer } from './open-server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function http(opts: Parameters<typeof installObservability>[1] = {}) {
  const app = buildHttp({ query: new FakeServerStore(), health: () => ({}), logger: false });
  cleanups.push(() => app.close());
  await installObservability(app, { defaultMetrics: false, ...opts });
  return app;
}

describe('OpenAPI and metrics', () => {
  it('serves the OpenAPI document at /docs/json with every route of the server, its plugins, tags and the bearer scheme', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rescard-docs-'));
    const server = await openServer(loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }), pino({ level: 'silent' }), [
      observabilityPlugin({ defaultMetrics: false }), authPlugin({ scryptCost: { ln: 10, r: 8, p: 1 } }), listsPlugin,
    ]);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => server.stop());
    const res = await server.http.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>>; components: { securitySchemes: object } }>();
    expect(doc.openapi).toBe('3.0.3');
    const paths = Object.keys(doc.paths);
    for (const p of ['/health', '/metrics', '/api/devices', '/api/devices/{id}/gaps', '/api/taps', '/api/lists/propagation', '/api/lists', '/api/lists/{list}/{audience}/entries',
      '/api/auth/login', '/api/auth/tokens', '/api/auth/accounts/{id}', '/api/audit', '/lists/{audience}/{list}/{file}']) {
      expect(paths, p).toContain(p);
    }
    expect(doc.paths['/api/devices']?.['get']?.tags).toEqual(['devices']);
    expect(doc.paths['/health']?.['get']?.security).toEqual([]);
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    expect((await server.http.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('exposes an http_request_duration_seconds histogram by route pattern and status at /metrics, and metrics other modules add', async () => {
    const app = await http();
    new Counter({ name: 'rescard_ingest_taps_total', help: 'taps committed', registers: [metricsRegistry(app)] }).inc(3);
    await app.inject('/api/devices');
    await app.inject('/api/devices/d9/gaps');
    await app.inject('/api/devices/d9/gaps');
    await app.inject('/no/such/path/1');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/devices",status_code="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/devices\/:id\/gaps",status_code="404"\} 2/);
    expect(text).toMatch(/route="unmatched",status_code="404"/);
    expect(text).not.toContain('/no/such/path');
    expect(text).toContain('rescard_ingest_taps_total 3');
  });

  it('shows the ingest at /metrics: taps by result, commits, the writer queue and its bound, refused messages', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rescard-metrics-'));
    const server = await openServer(loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent' }), pino({ level: 'silent' }), [observabilityPlugin({ defaultMetrics: false })]);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => server.stop());
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.ports.mqtt}`, { clientId: 'bus-m1', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync(true));
    await client.subscribeAsync(topics.deviceAck('bus-m1'), { qos: 1 });
    const acked = new Promise((resolve) => client.once('message', resolve));
    await client.publishAsync(topics.deviceTaps('bus-m1'), encodePayload(makeBatch('bus-m1', [1, 2, 3])), { qos: 1 });
    await acked;
    await client.publishAsync(topics.deviceTaps('bus-m1'), encodePayload(makeBatch('bus-m1', [3, 4])), { qos: 1 });
    await client.publishAsync(topics.deviceTaps('bus-m1'), Buffer.from('{not json'), { qos: 1 });
    let text = '';
    for (let i = 0; i < 100 && !text.includes('rescard_ingest_taps_total{result="inserted"} 4'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = (await server.http.inject('/metrics')).body;
    }
    expect(text).toContain('rescard_ingest_taps_total{result="inserted"} 4');
    expect(text).toContain('rescard_ingest_taps_total{result="duplicate"} 1');
    expect(text).toContain('rescard_ingest_taps_total{result="conflict"} 0');
    expect(text).toMatch(/rescard_ingest_commits_total\{result="ok"\} [1-9]/);
    expect(text).toContain('rescard_ingest_commits_total{result="failed"} 0');
    expect(text).toContain('rescard_ingest_queued_taps 0');
    expect(text).toContain('rescard_ingest_queue_bound_taps 20000');
    expect(text).toContain('rescard_ingest_writer_up 1');
    expect(text).toContain('rescard_ingest_writer_restarts_total 0');
    expect(text).toContain('rescard_mqtt_rejects_total{kind="taps",reason="json"} 1');
  });

  it('asks for the metrics token on /metrics when one is configured', async () => {
    const app = await http({ metricsToken: 'scrape-secret-123' });
    expect((await app.inject('/metrics')).json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ error: { code: string } }>().error.code).toBe('AUTH_INVALID');
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret-123' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_request_duration_seconds');
  });
});
