/**
 * The gateway (in process, real brokers and HTTP on ephemeral ports) relays the retained list
 * announcements and freshness of its audiences to its terminals once it has cached the files,
 * serves the files at the server's relative paths, refuses announcements that point elsewhere,
 * reports its terminals in its heartbeat, and after a restart with the server gone still gives
 * terminals their lists.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { encodePayload, topics } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/app/gateway.js';
import { parseGatewayConfig } from '../src/config/gateway-config.js';
import { tempDir, until } from './helpers/processes.js';

const FILE = '{"manifest":"signed by the server, verified by terminals"}\n';

async function upstreamWithFiles(): Promise<{ aedes: Aedes; mqttPort: number; httpPort: number; close(): Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const net = createServer((s) => aedes.handle(s));
  await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
  const http: Server = createHttpServer((req, res) => {
    if (req.url === '/lists/region/stoplist/snapshot-3.ndjson') res.end(FILE);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    aedes,
    mqttPort: (net.address() as AddressInfo).port,
    httpPort: (http.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => net.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

const retain = (aedes: Aedes, topic: string, body: Record<string, unknown>): Promise<void> =>
  new Promise((r) => aedes.publish({ cmd: 'publish', topic, payload: encodePayload(body as { v: 1 }), qos: 1, retain: true, dup: false }, () => r()));

async function terminalSees(port: number, filters: string[]): Promise<Map<string, Record<string, unknown>>> {
  const seen = new Map<string, Record<string, unknown>>();
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'gate-1', protocolVersion: 4, reconnectPeriod: 0 });
  c.on('message', (t, p) => seen.set(t, JSON.parse(p.toString()) as Record<string, unknown>));
  await c.subscribeAsync(filters, { qos: 1 });
  await until(() => seen.size, (n) => n >= filters.length, 5000);
  await c.endAsync();
  return seen;
}

describe('list relay', () => {
  it('caches, relays, serves, refuses foreign URLs, and survives a restart without the server', async () => {
    const up = await upstreamWithFiles();
    const announce = { v: 1, list: 'stoplist', audience: 'region', version: 3, snapshotUrl: 'lists/region/stoplist/snapshot-3.ndjson' };
    const fresh = { v: 1, audience: 'region', lists: { stoplist: 3 }, issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z', kid: 'k1', signature: 'c2ln' };
    await retain(up.aedes, topics.list('region', 'stoplist'), announce);
    await retain(up.aedes, topics.freshness('region'), fresh);
    await retain(up.aedes, topics.list('region', 'benefit'), { ...announce, list: 'benefit', snapshotUrl: 'https://evil.example/x.ndjson' });
    const heartbeats: Record<string, unknown>[] = [];
    up.aedes.subscribe(topics.gatewayStatus('gw-l'), (p, done) => (heartbeats.push(JSON.parse(p.payload.toString()) as Record<string, unknown>), done()), () => undefined);
    const config = parseGatewayConfig({
      gatewayId: 'gw-l', dataDir: tempDir(), local: { mqttPort: 0, httpPort: 0 }, heartbeatMs: 100,
      upstream: { mqttUrl: `mqtt://127.0.0.1:${up.mqttPort}`, httpUrl: `http://127.0.0.1:${up.httpPort}/`, reconnectMinMs: 20, reconnectMaxMs: 100 },
    });
    const log = pino({ level: 'silent' });
    const gw = await createGateway({ config, log, appVersion: 'test' });
    let second: Awaited<ReturnType<typeof createGateway>> | null = null;
    try {
      const seen = await terminalSees(gw.ports.mqtt, [topics.list('region', 'stoplist'), topics.freshness('region')]);
      expect(seen.get(topics.list('region', 'stoplist'))).toEqual(announce);
      expect(seen.get(topics.freshness('region'))).toEqual(fresh);
      const file = await fetch(`http://127.0.0.1:${gw.ports.http}/lists/region/stoplist/snapshot-3.ndjson`);
      expect(await file.text()).toBe(FILE);
      expect((await fetch(`http://127.0.0.1:${gw.ports.http}/lists/region/stoplist/..%2F..%2Fgateway.db`)).status).toBe(400);
      expect(gw.health()['rejects']).toMatchObject({ 'announce:url': 1 });

      const bus = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.ports.mqtt}`, { clientId: 'gate-1', protocolVersion: 4, reconnectPeriod: 0 });
      await bus.publishAsync(topics.deviceStatus('gate-1'), encodePayload({ v: 1, deviceId: 'gate-1', online: false }), { qos: 1, retain: true });
      const closed = new Promise<void>((r) => bus.once('close', () => r()));
      bus.publish(topics.list('region', 'stoplist'), 'planted', { qos: 1, retain: true }); // refused by the local ACL
      await closed;
      await bus.endAsync(true);
      const hb = await until(() => heartbeats.at(-1), (h) => Array.isArray(h?.['alarms']) && (h['alarms'] as string[]).includes('TERMINALS_OFFLINE'), 5000);
      expect(hb).toMatchObject({ kind: 'gateway', profile: 'gateway', lists: { stoplist: { version: 3, stale: false } }, terminals: [] });
      expect(gw.health()['rejects']).toMatchObject({ 'acl-publish:gateway-only': 1 });
    } finally {
      await gw.stop();
      await up.close();
    }
    try {
      second = await createGateway({ config, log, appVersion: 'test' });
      const seen = await terminalSees(second.ports.mqtt, [topics.list('region', 'stoplist')]);
      expect(seen.get(topics.list('region', 'stoplist'))).toEqual(announce);
      expect(await (await fetch(`http://127.0.0.1:${second.ports.http}/lists/region/stoplist/snapshot-3.ndjson`)).text()).toBe(FILE);
    } finally {
      await second?.stop();
    }
  });
});
