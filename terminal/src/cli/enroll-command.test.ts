/**
 * `rescard-terminal enroll` against the real server (its HTTP API listening on port 0, the
 * broker's TLS listener, the project CA and the device registry in a temp data folder), then
 * the terminal's own MqttMessageBus connecting over mqtts with what enroll wrote.
 *
 * The server is loaded from its sources by path (the terminal package does not depend on the
 * server package; only this test uses it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { certificateInfo, encodePayload, isRescardError, renewCertificate, startCertificateRenewal, topics } from '@rescard/shared';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttMessageBus } from '../adapters/mqtt/mqtt-message-bus.js';
import { loadTerminalConfig } from '../config/terminal-config.js';
import { runEnroll } from './enroll-command.js';

interface TestServer {
  readonly http: FastifyInstance;
  readonly ports: { http: number; mqtt: number; mqtts: number | null };
  readonly broker: { subscribe(filter: string, handler: (topic: string, payload: Buffer, clientId: string | null) => void): Promise<void> };
  stop(): Promise<void>;
}

const serverSrc = (file: string): string => new URL(`../../../server/src/${file}`, import.meta.url).href;
const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rescard-enroll-'));
  dirs.push(d);
  return d;
};
let server: TestServer;
const logLines: string[] = [];
const log = pino({ level: 'debug' }, new Writable({ write(c: Buffer, _e, cb) { logLines.push(c.toString()); cb(); } }));

beforeAll(async () => {
  const { openServer } = (await import(serverSrc('app/open-server.ts'))) as { openServer: (c: unknown, l: unknown, p: unknown[]) => Promise<TestServer> };
  const { pkiPlugin } = (await import(serverSrc('app/pki-plugin.ts'))) as { pkiPlugin: (o: unknown) => unknown };
  const { loadServerConfig } = (await import(serverSrc('config/server-config.ts'))) as { loadServerConfig: (...l: Record<string, unknown>[]) => Record<string, unknown> };
  const config = loadServerConfig({ dataDir: temp(), httpPort: 0, mqttPort: 0, mqttTls: true, mqttTlsPort: 0, mqttPlain: false, logLevel: 'silent' });
  server = await openServer(config, pino({ level: 'silent' }), [pkiPlugin(config)]);
}, 60_000);

afterAll(async () => {
  await server.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function token(body: Record<string, unknown>): Promise<string> {
  const res = await server.http.inject({ method: 'POST', url: '/api/enrolment-tokens', payload: body });
  expect(res.statusCode).toBe(201);
  return (res.json<{ token: string }>()).token;
}

describe('rescard-terminal enroll', { timeout: 60_000 }, () => {
  it('a bus validator enrols with a token, starts from the written config and publishes over mqtts with its certificate', async () => {
    const out = temp();
    const t = await token({ deviceId: 'bus-0100', kind: 'terminal', profile: 'bus', routeId: 'r42', vehicleId: 'A123BC' });
    const result = await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: t, out, log });
    expect(result).toMatchObject({ deviceId: 'bus-0100', profile: 'bus', mqttUrl: `mqtts://127.0.0.1:${server.ports.mqtts}` });
    expect(statSync(join(out, 'device.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'terminal.json')).mode & 0o777).toBe(0o600);

    const config = loadTerminalConfig(result.configPath);
    expect(config.context).toMatchObject({ routeId: 'r42', vehicleId: 'A123BC' });
    expect(Object.keys(config.lists.verifyKeys)).toHaveLength(1);
    expect(config.uplink?.tls?.certFile).toBe(join(out, 'device.crt'));
    expect(config.uplink?.listsBaseUrl).toBe(`http://127.0.0.1:${server.ports.http}`);

    const seen: (string | null)[] = [];
    await server.broker.subscribe(topics.deviceStatus('bus-0100'), (_t, _p, clientId) => seen.push(clientId));
    const uplink = config.uplink;
    if (uplink?.tls === undefined) throw new Error('no uplink.tls written');
    const bus = new MqttMessageBus({ url: uplink.url, clientId: uplink.clientId, tls: uplink.tls, reconnectMinMs: 50, reconnectMaxMs: 200, log });
    try {
      await expect.poll(() => bus.connected, { timeout: 10_000 }).toBe(true);
      await bus.publish(topics.deviceStatus('bus-0100'), encodePayload({ v: 1, deviceId: 'bus-0100', online: false }), { qos: 1 });
      await expect.poll(() => seen).toEqual(['bus-0100']);
    } finally {
      await bus.close();
    }
    // The card-token keys and the private key are in the files, never in the log.
    const keyHex = (JSON.parse(readFileSync(result.configPath, 'utf8')) as { tokenKeys: { keys: { keyHex: string }[] } }).tokenKeys.keys[0]?.keyHex ?? 'missing';
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(logLines.join('')).not.toContain(keyHex);
    expect(logLines.join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('a replayed token is refused with ENROLMENT_TOKEN_USED and writes nothing', async () => {
    const t = await token({ deviceId: 'gate-0100', kind: 'terminal', profile: 'gate', schoolId: 'school-7' });
    await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: t, out: temp(), log, template: new URL('../../examples/gate.json', import.meta.url).pathname });
    const second = temp();
    const err = await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: t, out: second, log }).catch((e: unknown) => e);
    expect(isRescardError(err, 'ENROLMENT_TOKEN_USED')).toBe(true);
    expect(existsSync(join(second, 'device.key'))).toBe(false);
    expect(existsSync(join(second, 'terminal.json'))).toBe(false);
  });

  it('an unreachable server is ENROLMENT_FAILED; a string that is not a token is refused before any request', async () => {
    const t = await token({ deviceId: 'canteen-0100', kind: 'terminal', profile: 'canteen', schoolId: 'school-7' });
    const down = await runEnroll({ server: 'http://127.0.0.1:9', token: t, out: temp(), log }).catch((e: unknown) => e);
    expect(isRescardError(down, 'ENROLMENT_FAILED')).toBe(true);
    const bad = await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: 'hello', out: temp(), log }).catch((e: unknown) => e);
    expect(isRescardError(bad, 'ENROLMENT_TOKEN_UNKNOWN')).toBe(true);
  });

  it('a gateway token is refused by the terminal before it is used: it still enrols the gateway', async () => {
    const t = await token({ deviceId: 'gw-bus-0100', kind: 'gateway', profile: 'gateway', routeId: 'r42', vehicleId: 'A123BC' });
    const out = temp();
    const err = await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: t, out, log }).catch((e: unknown) => e);
    expect(isRescardError(err, 'REQUEST_INVALID') && /rescard-gateway enroll/.test(err.message)).toBe(true);
    expect(existsSync(join(out, 'device.key'))).toBe(false);
    const reg = await server.http.inject({ method: 'GET', url: '/api/devices/registry' });
    expect(reg.json<{ devices: { deviceId: string }[] }>().devices.map((d) => d.deviceId)).not.toContain('gw-bus-0100');
  });

  it('renewal: a new key and certificate by proof of the current key; the broker takes the new one; the timer renews once due', async () => {
    const out = temp();
    const t = await token({ deviceId: 'bus-0200', kind: 'terminal', profile: 'bus', routeId: 'r42' });
    const enrolled = await runEnroll({ server: `http://127.0.0.1:${server.ports.http}`, token: t, out, log });
    const config = loadTerminalConfig(enrolled.configPath);
    const tls = config.uplink?.tls;
    if (tls === undefined) throw new Error('no uplink.tls written');
    expect(tls.renewServer).toBe(`http://127.0.0.1:${server.ports.http}`);
    expect(tls.renewAtFraction).toBeCloseTo(2 / 3);
    const before = { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') };

    const renewed = await renewCertificate({ server: tls.renewServer ?? '', deviceId: 'bus-0200', files: tls });
    const after = { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') };
    expect(renewed.serial).not.toBe(certificateInfo(before.cert).serial);
    expect(certificateInfo(after.cert).serial).toBe(renewed.serial);
    expect(after.key).not.toBe(before.key); // a new key pair, made on the device
    expect(statSync(tls.keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${tls.certFile}.next`) || existsSync(`${tls.keyFile}.next`)).toBe(false);
    const registry = await server.http.inject({ method: 'GET', url: '/api/devices/registry' });
    const row = registry.json<{ devices: { deviceId: string; certificate: { serial: string; state: string } | null }[] }>().devices.find((d) => d.deviceId === 'bus-0200');
    expect(row?.certificate).toMatchObject({ serial: renewed.serial.toLowerCase(), state: 'valid' });

    // The broker accepts the renewed identity.
    const uplink = config.uplink!;
    const bus = new MqttMessageBus({ url: uplink.url, clientId: uplink.clientId, tls, reconnectMinMs: 50, reconnectMaxMs: 200, log });
    try {
      await expect.poll(() => bus.connected, { timeout: 10_000 }).toBe(true);
    } finally {
      await bus.close();
    }

    // The timer: not due at 2/3 of a fresh certificate's life; due at once with atFraction 0.
    const quiet = startCertificateRenewal({ server: tls.renewServer ?? '', deviceId: 'bus-0200', files: tls, log });
    expect(await quiet.check()).toBe(false);
    quiet.stop();
    const due = startCertificateRenewal({ server: tls.renewServer ?? '', deviceId: 'bus-0200', files: tls, log, atFraction: 0 });
    await expect.poll(() => certificateInfo(readFileSync(tls.certFile, 'utf8')).serial, { timeout: 20_000 }).not.toBe(renewed.serial);
    due.stop();

    // A stolen certificate without its key proves nothing: the old pair is refused (signed by another key).
    const err = await renewCertificate({ server: tls.renewServer ?? '', deviceId: 'bus-0100', files: tls }).catch((e: unknown) => e);
    expect(isRescardError(err, 'CERTIFICATE_REFUSED')).toBe(true);
    expect(logLines.join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('an mqtts uplink without certificate files is a config error', () => {
    const dir = temp();
    const raw = JSON.parse(readFileSync(new URL('../../examples/bus.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(() => loadTerminalConfigFrom(dir, { ...raw, uplink: { url: 'mqtts://127.0.0.1:8883' } })).toThrow(/uplink.tls/);
  });
});

function loadTerminalConfigFrom(dir: string, raw: unknown): unknown {
  const path = join(dir, 'c.json');
  writeFileSync(path, JSON.stringify(raw));
  return loadTerminalConfig(path);
}
