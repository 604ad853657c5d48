/**
 * Issue 4's path end to end with real processes: `rescard-server start` (embedded aedes, SQLite,
 * signed lists) and a bus `rescard-terminal start` with an uplink to it, cards through pcscd.
 * Taps appear at the server exactly once; an operator stop-lists a card through the API; the
 * terminal applies the signed delta and refuses the card.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring } from '@rescard/shared';
import { buildProfileCard, presentCard } from '@rescard/hardware-sim';
import { DeviceProcess, GATEWAY_MAIN, SERVER_MAIN, adminToken, buildDemoWorld, startPortsProgram, terminalCli, writeGatewayConfig, type Ports } from '@rescard/terminal/testing';

const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
const processes: ChildProcessWithoutNullStreams[] = [];
let device: DeviceProcess | null = null;

afterEach(async () => {
  await device?.stop();
  device = null;
  for (const child of processes.splice(0).reverse()) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

async function startProgram(args: string[]): Promise<Ports> {
  const { child, ports } = await startPortsProgram(args);
  processes.push(child);
  return ports;
}

/** The server's admin token (from its data folder, written at its first start). */
let token = '';
async function startServer(dataDir: string): Promise<{ http: number; mqtt: number }> {
  const ports = await startProgram([SERVER_MAIN, 'start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
  token = adminToken(dataDir);
  return ports;
}

async function api<T>(port: number, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

async function tap(profile: string): Promise<string> {
  const presented = await presentCard({ card: buildProfileCard(profile).card, port: 35963, holdMs: 5000 });
  const line = await device!.next(10_000);
  await presented.remove();
  await new Promise((r) => setTimeout(r, 700));
  expect(line, device!.stderr).not.toBeNull();
  return line!;
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('server, terminal and lists over MQTT', () => {
  it('taps reach the server once; a stop-listed card is refused within seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-sync-'));
    const ports = await startServer(join(dir, 'server'));
    await scenario(dir, ports, ports);
  });

  it('the same through a gateway: custody, forwarding, and the list cache relay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-sync-gw-'));
    const ports = await startServer(join(dir, 'server'));
    const gateway = await startProgram([GATEWAY_MAIN, 'start', '--config', writeGatewayConfig(dir, ports, { heartbeatMs: 1000 })]);
    await scenario(dir, ports, gateway);
  });
});

interface DeviceStatusJson {
  readonly lists: Record<string, { version?: number }>;
  readonly journal: { depth: number };
}

/** `rescard-terminal status`, or null when the call failed (e.g. it met the device mid-write). */
function deviceStatus(config: string): DeviceStatusJson | null {
  const r = terminalCli(['status', '--config', config]);
  if (r.code !== 0) return null;
  try {
    return JSON.parse(r.stdout) as DeviceStatusJson;
  } catch {
    return null;
  }
}

/** Lists from the server, taps and lists through `hop` (the server itself, or a gateway). */
async function scenario(dir: string, ports: { http: number }, hop: { http: number; mqtt: number }): Promise<void> {
  const signing = await api<{ kid: string; publicKeyPem: string }>(ports.http, 'GET', '/api/lists/signing-key');
  const pensioner = keyring.panToken(buildProfileCard('mir-debit').pan).token;
  await api(ports.http, 'POST', '/api/lists/stoplist/region/snapshot', { entries: [] });
  await api(ports.http, 'POST', '/api/lists/benefit/region/snapshot', { entries: [{ token: pensioner, category: 'pensioner' }] });

  const world = await buildDemoWorld(join(dir, 'world'), Date.now());
  const config = JSON.parse(readFileSync(world.configs.bus, 'utf8')) as Record<string, unknown>;
  config['lists'] = { verifyKeys: { [signing.kid]: signing.publicKeyPem }, allowDev: false };
  config['uplink'] = { url: `mqtt://127.0.0.1:${hop.mqtt}`, listsBaseUrl: `http://127.0.0.1:${hop.http}`, heartbeatMs: 1000 };
  writeFileSync(world.configs.bus, JSON.stringify(config));
  device = DeviceProcess.start(world.configs.bus);

  // `status` runs beside the live device; a call that meets the device mid-write says "not yet".
  const listsAt = (want: number) => (): Promise<true | null> => {
    const status = deviceStatus(world.configs.bus);
    const lists = status?.lists ?? {};
    return Promise.resolve((lists['stoplist']?.version ?? 0) >= want && (lists['benefit']?.version ?? 0) >= 1 ? true : null);
  };
  await until('the device took the signed lists', listsAt(1));
  expect(await tap('mir-debit')).toContain('OK_FREE');

  const added = await api<{ version: number }>(ports.http, 'PUT', '/api/lists/stoplist/region/entries', { entries: [{ token: pensioner, attrs: { reason: 'LOST' } }] });
  await until('the stop-list delta reached the device', listsAt(added.version));
  expect(await tap('mir-debit')).toContain('STOPLISTED');

  const taps = await until('both taps at the server', async () => {
    const r = await api<{ taps: { seq: number; reason: string; panMasked: string }[] }>(ports.http, 'GET', '/api/taps?deviceId=bus-0001&fromSeq=1&limit=10');
    return r.taps.length >= 2 ? r.taps : null;
  });
  expect(taps.map((t) => [t.seq, t.reason])).toEqual([[1, 'OK_FREE'], [2, 'STOPLISTED']]);
  expect(JSON.stringify(taps)).not.toContain(buildProfileCard('mir-debit').pan);
  await until('the journal drained (app-level acks)', () => Promise.resolve(deviceStatus(world.configs.bus)?.journal.depth === 0 ? true : null));
  // The server sees the terminal's own status: directly, or relayed by the gateway (named), with
  // the stop-list version it applied; through a gateway also the gateway's heartbeat.
  const viaGateway = hop === ports ? null : 'gw-bus-0001';
  type DeviceJson = { deviceId: string; online: boolean; viaGatewayId: string | null; heartbeat: { lists: Record<string, { version: number }> } | null };
  const bus = await until('bus-0001 online at the server with the applied stop-list', async () => {
    const r = await api<{ devices: DeviceJson[] }>(ports.http, 'GET', '/api/devices');
    const d = r.devices.find((x) => x.deviceId === 'bus-0001' && x.online);
    return d !== undefined && (d.heartbeat?.lists['stoplist']?.version ?? 0) >= added.version ? d : null;
  });
  expect(bus.viaGatewayId).toBe(viaGateway);
  if (viaGateway !== null) {
    const gw = await api<{ devices: DeviceJson[] }>(ports.http, 'GET', '/api/devices');
    expect(gw.devices.find((d) => d.deviceId === viaGateway)?.online).toBe(true);
  }
}
