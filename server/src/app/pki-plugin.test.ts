/**
 * Device enrolment and MQTT over TLS end to end: the real server (openServer: SQLite files, the
 * aedes broker with its TLS listener on port 0), real HTTP (inject), real certificates from the
 * project CA checked by the real `openssl verify`, and mqtt.js clients connecting over mqtts.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { encodePayload, topics } from '@rescard/shared';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config/server-config.js';
import { createCa } from '../pki/ca.js';
import { issueDeviceCertificate } from '../pki/device-certificate.js';
import { signRenewal } from '../pki/renewal-proof.js';
import { deviceKeys, pkiTempDir, type DeviceKeys } from '../pki/pki-fixtures.js';
import { makeHeartbeat } from '../testing/tap-fixtures.js';
import { openServer } from './open-server.js';
import { pkiPlugin, type PkiAction } from './pki-plugin.js';
import type { RunningServer } from './server.js';

const HOUR = 3_600_000;
let dataDir: string;
let server: RunningServer;
const clock = { offsetMs: 0 };
const asked: PkiAction[] = [];
const clients: MqttClient[] = [];
const logLines: string[] = [];
const logText = (): string => logLines.join('');
const sink = new Writable({ write(chunk: Buffer, _e, cb) { logLines.push(chunk.toString()); cb(); } });

beforeAll(async () => {
  dataDir = pkiTempDir();
  const config = loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, mqttTls: true, mqttTlsPort: 0, logLevel: 'silent' });
  server = await openServer(config, pino({ level: 'debug' }, sink), [
    pkiPlugin({
      ...config,
      now: () => Date.now() + clock.offsetMs,
      actorOf: (req) => (typeof req.headers['x-actor'] === 'string' ? req.headers['x-actor'] : 'system'),
      authorize: (req, action) => {
        asked.push(action);
        if (req.headers['x-role'] === 'auditor' && action !== 'device:read') throw Object.assign(new Error('this role may not do that'), { statusCode: 403 });
      },
    }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.end(true);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Enrolment {
  deviceId: string;
  certificatePem: string;
  caPem: string;
  mqttUrl: string;
  notAfter: string;
  config: { profile: string; context: Record<string, string> };
  listSigningKey: { kid: string; publicKeyPem: string };
  tokenKeys: { primaryKid: string; keys: { kid: string; keyHex: string }[] };
}

async function newToken(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await server.http.inject({ method: 'POST', url: '/api/enrolment-tokens', payload: body, headers });
  return { status: res.statusCode, json: res.json() };
}

async function enroll(token: string, csrPem: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await server.http.inject({ method: 'POST', url: '/enroll', payload: { token, csrPem } });
  return { status: res.statusCode, json: res.json() };
}

async function enrolDevice(deviceId: string, site: Record<string, string> = { routeId: 'r42' }): Promise<{ keys: DeviceKeys; enrolment: Enrolment }> {
  const t = await newToken({ deviceId, kind: 'terminal', profile: 'bus', ...site }, { 'x-actor': 'tech-anna' });
  expect(t.status).toBe(201);
  const keys = deviceKeys(deviceId);
  const e = await enroll(t.json['token'] as string, keys.csrPem);
  expect(e.status).toBe(200);
  return { keys, enrolment: e.json as unknown as Enrolment };
}

type Outcome = { connected: true; client: MqttClient } | { connected: false; error: string };

/** Connect over mqtts; resolves at CONNACK or at the first error / close. */
function mqtts(options: IClientOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const client = connect(`mqtts://localhost:${server.ports.mqtts ?? 0}`, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 8000, clean: true, ...options });
    clients.push(client);
    client.once('connect', () => resolve({ connected: true, client }));
    client.once('error', (err) => resolve({ connected: false, error: err.message }));
    client.once('close', () => resolve({ connected: false, error: 'closed' }));
  });
}

const withCert = (deviceId: string, keys: DeviceKeys, certPem: string, caPem: string, clientId = deviceId): IClientOptions => ({ clientId, key: keys.keyPem, cert: certPem, ca: caPem });

function waitClose(client: MqttClient, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('enrolment over HTTP, then MQTT over TLS with the issued certificate', { timeout: 60_000 }, () => {
  it('a technician\'s token enrols a bus validator: openssl accepts its certificate, it publishes its status over mqtts and the registry shows it', async () => {
    const seen: { topic: string; clientId: string | null }[] = [];
    await server.broker.subscribe(topics.deviceStatus('bus-0001'), (topic, _p, clientId) => void seen.push({ topic, clientId }));
    const { keys, enrolment } = await enrolDevice('bus-0001', { routeId: 'r42', carrierId: 'c7' });
    expect(enrolment.mqttUrl).toBe(`mqtts://127.0.0.1:${server.ports.mqtts}`);
    expect(enrolment.config).toMatchObject({ profile: 'bus', context: { routeId: 'r42', carrierId: 'c7' } });
    expect(enrolment.listSigningKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(enrolment.tokenKeys.keys[0]?.keyHex).toMatch(/^[0-9a-f]{64}$/);
    const certPath = join(dataDir, 'bus-0001.crt');
    writeFileSync(certPath, enrolment.certificatePem);
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(dataDir, 'ca', 'ca.crt'), certPath], { encoding: 'utf8' })).toMatch(/: OK/);

    const outcome = await mqtts(withCert('bus-0001', keys, enrolment.certificatePem, enrolment.caPem));
    expect(outcome.connected).toBe(true);
    if (!outcome.connected) return;
    await outcome.client.publishAsync(topics.deviceStatus('bus-0001'), encodePayload(makeHeartbeat('bus-0001', { stoplist: 7 }, { atMs: Date.now() })), { qos: 1 });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toEqual({ topic: topics.deviceStatus('bus-0001'), clientId: 'bus-0001' });

    await expect.poll(async () => {
      const res = await server.http.inject({ method: 'GET', url: '/api/devices/registry' });
      return res.json<{ devices: { deviceId: string; status: { lists: Record<string, number> } | null }[] }>().devices.find((d) => d.deviceId === 'bus-0001')?.status?.lists['stoplist'];
    }).toBe(7);
    const res = await server.http.inject({ method: 'GET', url: '/api/devices/registry' });
    const row = (res.json<{ devices: Record<string, unknown>[] }>()).devices.find((d) => d['deviceId'] === 'bus-0001');
    expect(row).toMatchObject({
      profile: 'bus', site: { routeId: 'r42', carrierId: 'c7' }, state: 'active', enrolledBy: 'tech-anna',
      certificate: { state: 'valid', daysLeft: 29 }, status: { online: true, queueDepth: 3, restricted: false, appVersion: '0.1.0' },
    });
    outcome.client.end(true);
    // The card-token keys and the device's private key travel in the answer only, never in a log.
    expect(logText()).toContain('device enrolled');
    expect(logText()).not.toContain(enrolment.tokenKeys.keys[0]?.keyHex);
    expect(logText()).not.toMatch(/PRIVATE KEY|keyHex/);
  });

  it('a replayed enrolment token gets 409 ENROLMENT_TOKEN_USED and issues nothing', async () => {
    const t = await newToken({ deviceId: 'gate-0001', kind: 'terminal', profile: 'gate', schoolId: 's-17' });
    const first = await enroll(t.json['token'] as string, deviceKeys('gate-0001').csrPem);
    expect(first.status).toBe(200);
    const again = await enroll(t.json['token'] as string, deviceKeys('gate-0001').csrPem);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: { code: 'ENROLMENT_TOKEN_USED', message: expect.any(String) } });
    expect(again.json['certificatePem']).toBeUndefined();
  });

  it('an expired enrolment token gets 410, an unknown one 401, a CSR for another device 400', async () => {
    const t = await newToken({ deviceId: 'canteen-0001', kind: 'terminal', profile: 'canteen', schoolId: 's-17', ttlHours: 1 });
    expect((await enroll('rset1_canteen-0001_' + 'x'.repeat(43), deviceKeys('canteen-0001').csrPem)).json).toMatchObject({ error: { code: 'ENROLMENT_TOKEN_UNKNOWN' } });
    const wrongCn = await enroll(t.json['token'] as string, deviceKeys('canteen-0002').csrPem);
    expect(wrongCn.status).toBe(400);
    expect(wrongCn.json).toMatchObject({ error: { code: 'CSR_INVALID' } });
    clock.offsetMs = HOUR + 1000;
    try {
      const late = await enroll(t.json['token'] as string, deviceKeys('canteen-0001').csrPem);
      expect(late.status).toBe(410);
      expect(late.json).toMatchObject({ error: { code: 'ENROLMENT_TOKEN_EXPIRED' } });
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('operator actions go through authorize: a refusal is a 4xx and creates nothing; bad bodies are 400', async () => {
    asked.length = 0;
    const refused = await newToken({ deviceId: 'bus-0777', kind: 'terminal', profile: 'bus', routeId: 'r1' }, { 'x-role': 'auditor' });
    expect(refused.status).toBe(403);
    expect(asked).toEqual(['enrolment-token:create']);
    const list = await server.http.inject({ method: 'GET', url: '/api/devices/registry', headers: { 'x-role': 'auditor' } });
    expect(list.statusCode).toBe(200);
    expect((list.json<{ devices: { deviceId: string }[] }>()).devices.map((d) => d.deviceId)).not.toContain('bus-0777');
    expect((await newToken({ deviceId: 'bus 0777', kind: 'terminal', profile: 'bus' })).status).toBe(400);
    expect((await newToken({ deviceId: 'gate-0777', kind: 'terminal', profile: 'gate' })).json).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });
});

describe('renewal over HTTP', { timeout: 60_000 }, () => {
  it('a device signs the server\'s nonce with its current key, gets a new certificate and connects with it; a replay is 401', async () => {
    const { keys, enrolment } = await enrolDevice('bus-0009');
    const next = deviceKeys('bus-0009');
    const challenge = (await server.http.inject({ method: 'POST', url: '/renew/challenge', payload: { deviceId: 'bus-0009' } })).json<{ nonce: string }>();
    const body = { deviceId: 'bus-0009', certificatePem: enrolment.certificatePem, csrPem: next.csrPem, nonce: challenge.nonce, signature: signRenewal(keys.keyPem, 'bus-0009', challenge.nonce, next.csrPem) };
    const res = await server.http.inject({ method: 'POST', url: '/renew', payload: body });
    expect(res.statusCode).toBe(200);
    const renewed = res.json<{ certificatePem: string; caPem: string }>();
    expect(renewed.certificatePem).not.toBe(enrolment.certificatePem);
    const outcome = await mqtts(withCert('bus-0009', next, renewed.certificatePem, renewed.caPem));
    expect(outcome.connected).toBe(true);
    if (outcome.connected) outcome.client.end(true);
    const replay = await server.http.inject({ method: 'POST', url: '/renew', payload: body });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'CERTIFICATE_REFUSED' } });
  });
});

describe('the TLS listener refuses', { timeout: 60_000 }, () => {
  it('a client with no certificate', async () => {
    const { enrolment } = await enrolDevice('bus-0002');
    const before = logLines.length;
    const outcome = await mqtts({ clientId: 'bus-0002', ca: enrolment.caPem });
    expect(outcome.connected).toBe(false);
    await expect.poll(() => logLines.slice(before).join('')).toMatch(/tls handshake refused/);
  });

  it('a certificate from a foreign CA, even for an enrolled device id', async () => {
    const foreignDir = pkiTempDir();
    try {
      const foreign = await createCa(foreignDir, { keyBits: 2048 });
      const { enrolment } = await enrolDevice('bus-0003');
      const keys = deviceKeys('bus-0003');
      const forged = issueDeviceCertificate(foreign, { deviceId: 'bus-0003', csrPem: keys.csrPem, lifetimeDays: 30, nowMs: Date.now() });
      const before = logLines.length;
      const outcome = await mqtts(withCert('bus-0003', keys, forged.certificatePem, enrolment.caPem));
      expect(outcome.connected).toBe(false);
      await expect.poll(() => logLines.slice(before).join('')).toMatch(/tls handshake refused/);
    } finally {
      rmSync(foreignDir, { recursive: true, force: true });
    }
  });

  it('a clientId that is not the certificate\'s device id (identifier rejected)', async () => {
    const { keys, enrolment } = await enrolDevice('bus-0004');
    await enrolDevice('bus-0005');
    const outcome = await mqtts(withCert('bus-0004', keys, enrolment.certificatePem, enrolment.caPem, 'bus-0005'));
    expect(outcome.connected).toBe(false);
    if (!outcome.connected) expect(outcome.error).toMatch(/Identifier rejected/i);
  });

  it('publishing to another device\'s topic: the message is dropped and the connection closed', async () => {
    const { keys, enrolment } = await enrolDevice('bus-0006');
    const delivered: string[] = [];
    await server.broker.subscribe(topics.deviceTaps('bus-0001'), (_t, _p, clientId) => void delivered.push(clientId ?? 'server'));
    const outcome = await mqtts(withCert('bus-0006', keys, enrolment.certificatePem, enrolment.caPem));
    expect(outcome.connected).toBe(true);
    if (!outcome.connected) return;
    const closed = waitClose(outcome.client);
    outcome.client.publish(topics.deviceTaps('bus-0001'), Buffer.from('{"v":1}'), { qos: 1 });
    expect(await closed).toBe(true);
    expect(delivered).toEqual([]);
    expect(server.rejects.snapshot()['acl-publish:client-mismatch']).toBe(1);
  });

  it('a revoked device: its live session is dropped at once and its next connect is refused', async () => {
    const { keys, enrolment } = await enrolDevice('bus-0007');
    const live = await mqtts(withCert('bus-0007', keys, enrolment.certificatePem, enrolment.caPem));
    expect(live.connected).toBe(true);
    if (!live.connected) return;
    const closed = waitClose(live.client);
    const res = await server.http.inject({ method: 'POST', url: '/api/devices/bus-0007/revoke', payload: { reason: 'stolen from the depot' }, headers: { 'x-actor': 'admin-oleg' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'revoked', revokedBy: 'admin-oleg', reason: 'stolen from the depot' });
    expect(await closed).toBe(true);
    const again = await mqtts(withCert('bus-0007', keys, enrolment.certificatePem, enrolment.caPem));
    expect(again.connected).toBe(false);
    if (!again.connected) expect(again.error).toMatch(/Not authorized/i);
    expect(Object.entries(server.rejects.snapshot()).filter(([k]) => k.startsWith('acl-connect:')).reduce((n, [, v]) => n + v, 0)).toBeGreaterThanOrEqual(1); // counted for /health
    const row = ((await server.http.inject({ method: 'GET', url: '/api/devices/registry' })).json<{ devices: Record<string, unknown>[] }>()).devices.find((d) => d['deviceId'] === 'bus-0007');
    expect(row).toMatchObject({ state: 'revoked', certificate: { state: 'revoked' }, revokedBy: 'admin-oleg' });
    expect((await server.http.inject({ method: 'POST', url: '/api/devices/bus-9999/revoke', payload: { reason: 'x' } })).statusCode).toBe(404);
  });

  it('an expired certificate (by the server\'s clock) is refused at connect', async () => {
    const { keys, enrolment } = await enrolDevice('bus-0008');
    clock.offsetMs = 31 * 24 * HOUR;
    try {
      const outcome = await mqtts(withCert('bus-0008', keys, enrolment.certificatePem, enrolment.caPem));
      expect(outcome.connected).toBe(false);
      if (!outcome.connected) expect(outcome.error).toMatch(/Not authorized/i);
    } finally {
      clock.offsetMs = 0;
    }
  });
});
