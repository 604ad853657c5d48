/**
 * End to end over the real stack: the server's list service publishing into a real aedes broker
 * (ephemeral port), its fastify list route serving the files over HTTP, and a device with the
 * real MqttMessageBus (mqtt.js), the list sync client and a SQLite store. Retained announcements
 * reach a device that connects later; a stop-list change arrives inline within the test timeout.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, createListVerifiers } from '@rescard/shared';
import { Aedes } from 'aedes';
import Fastify from 'fastify';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createListService, listRoutes } from '../../server/src/lists/index.js';
import { MqttMessageBus } from '../src/adapters/mqtt/mqtt-message-bus.js';
import { openDeviceDb } from '../src/adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../src/adapters/sqlite/sqlite-list-store.js';
import { createListSync, listAudiences } from '../src/sync/lists-sync.js';
import { KEY, SILENT, tempDir, tok } from './lists-sync-rig.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('list sync over a real aedes broker and HTTP', () => {
  it('a gate that connects late gets the retained lists, then a stop-list change inline', async () => {
    const dir = tempDir();
    const aedes = await Aedes.createBroker();
    const mqttServer: Server = createServer((s) => aedes.handle(s));
    await new Promise<void>((ok) => mqttServer.listen(0, '127.0.0.1', ok));
    cleanups.push(() => new Promise<void>((ok) => aedes.close(() => mqttServer.close(() => ok()))));
    const service = await createListService({
      dataDir: join(dir, 'server'), signer: KEY.signer, clock: { wallMs: () => Date.now() }, log: SILENT,
      publish: (topic, payload, o) => new Promise<void>((ok, ko) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos: o.qos, retain: o.retain, dup: false }, (err) => (err ? ko(err) : ok()))),
    });
    cleanups.push(() => service.stop());
    const http = Fastify();
    await http.register(listRoutes, { dataDir: join(dir, 'server') });
    await http.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => http.close());
    await service.start();
    await service.setEntries('stoplist', 'region', [{ token: tok(1), attrs: { reason: 'LOST' } }]);
    await service.setEntries('roster', 'school:S1', [{ token: tok(2), attrs: { schoolId: 'S1', role: 'student' } }]);
    await service.flush();

    const device = openDeviceDb(join(dir, 'device', 'device.db'));
    cleanups.push(() => device.close());
    const store = new SqliteListStore(device);
    mkdirSync(join(dir, 'device', 'tmp'), { recursive: true });
    const bus = new MqttMessageBus({
      url: `mqtt://127.0.0.1:${(mqttServer.address() as AddressInfo).port}`, clientId: 'gate-1', reconnectMinMs: 100, reconnectMaxMs: 1000, log: SILENT,
    });
    cleanups.push(() => bus.close());
    const audiences = listAudiences('gate', 'S1');
    const sync = createListSync({
      bus, audiences, lists: ['stoplist', 'roster'], baseUrl: `http://127.0.0.1:${(http.server.address() as AddressInfo).port}/`,
      tmpDir: join(dir, 'device', 'tmp'), now: () => Date.now(), log: SILENT,
      load: { store, verifiers: createListVerifiers({ [KEY.signer.kid]: KEY.publicKeyPem }), allowDev: false, audiences, keyring: TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG) },
    });
    cleanups.push(() => sync.stop());
    await sync.start();
    await vi.waitFor(() => expect(bus.connected).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(store.meta().map((m) => [m.list, m.version])).toEqual([['roster', 1], ['stoplist', 1]]), { timeout: 5000 });

    const t0 = performance.now();
    await service.upsert('stoplist', 'region', [{ token: tok(3), attrs: { reason: 'STOLEN' } }]);
    await vi.waitFor(() => expect(store.lookup([tok(3)], ['stoplist'])).toHaveLength(1), { timeout: 5000, interval: 5 });
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ stoplistChangeAppliedMs: Math.round(ms) }));
    await vi.waitFor(() => expect(sync.counters()).toMatchObject({ 'applied:snapshot': 2, 'applied:inline': 1 }));
    expect(Object.keys(sync.counters()).filter((k) => k.startsWith('rejected'))).toEqual([]);
  });
});
