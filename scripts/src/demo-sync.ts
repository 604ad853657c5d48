/**
 * Demo part 3: server, gateway and terminal in sync. `rescard-server start` (embedded aedes,
 * SQLite, signed lists); `rescard-gateway start` on the bus (custody outbox, list cache); a bus
 * terminal connected to the gateway; an operator stop-lists a card through the server's API and
 * the terminal refuses it moments later; the taps are at the server, exactly once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring } from '@rescard/shared';
import { buildProfileCard, presentCard } from '@rescard/hardware-sim';
import { DeviceProcess, GATEWAY_MAIN, SERVER_MAIN, adminApi, buildDemoWorld, startPortsProgram, terminalCli, writeGatewayConfig } from '@rescard/terminal/testing';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The server's data folder (its admin token is there: dataDir/auth/bootstrap.json). */
let serverData = '';
const api = <T>(port: number, method: string, path: string, body?: unknown): Promise<T> => adminApi<T>(port, serverData, method, path, body);

/** The device's stop-list version (0 while a status call meets the live device mid-write). */
function stoplistVersion(config: string): number {
  const r = terminalCli(['status', '--config', config]);
  if (r.code !== 0) return 0;
  try {
    const status = JSON.parse(r.stdout) as { lists?: Record<string, { version?: number }> };
    return status.lists?.['stoplist']?.version ?? 0;
  } catch {
    return 0;
  }
}

async function waitFor(test: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (test()) return true;
    await sleep(100);
  }
  return test();
}

export async function demoSync(port: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-demo-sync-'));
  console.log('\n== 3. Server, gateway and terminal in sync (MQTT on loopback, signed lists over HTTP) ==');
  serverData = join(dir, 'server');
  const { child: server, ports } = await startPortsProgram([SERVER_MAIN, 'start', '--data', join(dir, 'server'), '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
  console.log(`  rescard-server start: HTTP ${ports.http}, MQTT ${ports.mqtt}, data in ${join(dir, 'server')}`);
  const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  const pensioner = keyring.panToken(buildProfileCard('mir-debit').pan).token;
  const signing = await api<{ kid: string; publicKeyPem: string }>(ports.http, 'GET', '/api/lists/signing-key');
  await api(ports.http, 'POST', '/api/lists/stoplist/region/snapshot', { entries: [] });
  await api(ports.http, 'POST', '/api/lists/benefit/region/snapshot', { entries: [{ token: pensioner, category: 'pensioner' }] });
  console.log(`  operator: benefit list v1 (1 holder), empty stop-list v1; devices pin signing key ${signing.kid}`);

  const { child: gateway, ports: gw } = await startPortsProgram([GATEWAY_MAIN, 'start', '--config', writeGatewayConfig(dir, ports)]);
  console.log(`  rescard-gateway start (on the bus): MQTT ${gw.mqtt} for its terminals, list cache on HTTP ${gw.http}`);

  try {
    await busThroughGateway({ dir, ports, gw, signing, pensioner, port });
  } finally {
    for (const child of [gateway, server]) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

interface Setting {
  readonly dir: string;
  readonly ports: { http: number; mqtt: number };
  readonly gw: { http: number; mqtt: number };
  readonly signing: { kid: string; publicKeyPem: string };
  readonly pensioner: string;
  readonly port: number;
}

async function busThroughGateway({ dir, ports, gw, signing, pensioner, port }: Setting): Promise<void> {
  const world = await buildDemoWorld(join(dir, 'world'), Date.now());
  const config = JSON.parse(readFileSync(world.configs.bus, 'utf8')) as Record<string, unknown>;
  config['lists'] = { verifyKeys: { [signing.kid]: signing.publicKeyPem }, allowDev: false };
  config['uplink'] = { url: `mqtt://127.0.0.1:${gw.mqtt}`, listsBaseUrl: `http://127.0.0.1:${gw.http}`, heartbeatMs: 2000 };
  writeFileSync(world.configs.bus, JSON.stringify(config, null, 2));
  const device = DeviceProcess.start(world.configs.bus);
  try {
    await rideAndStopList(device, world.configs.bus, ports.http, pensioner, port);
  } finally {
    await device.stop();
  }
}

async function rideAndStopList(device: DeviceProcess, busConfig: string, http: number, pensioner: string, port: number): Promise<void> {
  await waitFor(() => stoplistVersion(busConfig) >= 1, 10_000);
  console.log(`  bus-0001 connected to the gateway; lists synced from its cache (stop-list v${stoplistVersion(busConfig)})`);

  const tap = async (say: string): Promise<void> => {
    const presented = await presentCard({ card: buildProfileCard('mir-debit').card, port, holdMs: 5000 });
    console.log(`  ${say.padEnd(44)} ${(await device.next(10_000)) ?? '(no answer)'}`);
    await presented.remove();
    await sleep(700);
  };
  await tap('pensioner taps');
  const added = await api<{ version: number }>(http, 'PUT', '/api/lists/stoplist/region/entries', { entries: [{ token: pensioner, attrs: { reason: 'STOLEN' } }] });
  const t0 = Date.now();
  const reached = await waitFor(() => stoplistVersion(busConfig) >= added.version, 10_000);
  console.log(`  operator stop-lists the card at the server (v${added.version}): ${reached ? `on the device, via the gateway, after ${Date.now() - t0} ms` : 'not on the device within 10 s'}`);
  await sleep(2500); // past the repeat window, so the refusal is the stop-list's
  await tap('the same card, now reported stolen');
  await sleep(2000);
  const taps = await api<{ taps: { seq: number; reason: string; panMasked: string }[] }>(http, 'GET', '/api/taps?deviceId=bus-0001&fromSeq=1&limit=10');
  console.log(`  at the server (forwarded by the gateway): ${taps.taps.map((t) => `seq ${t.seq} ${t.reason} ${t.panMasked}`).join('; ')}`);
  const devices = await api<{ devices: { deviceId: string; online: boolean; viaGatewayId: string | null; heartbeat: { lists: Record<string, { version: number }> } | null }[] }>(http, 'GET', '/api/devices');
  const gateway = devices.devices.find((d) => d.deviceId === 'gw-bus-0001');
  const bus = devices.devices.find((d) => d.deviceId === 'bus-0001');
  console.log(`  device registry: gw-bus-0001 ${gateway?.online ? 'online' : 'not seen'}; bus-0001 ${bus?.online ? 'online' : 'not seen'}${bus?.viaGatewayId ? ` (status relayed by ${bus.viaGatewayId})` : ''}, stop-list v${bus?.heartbeat?.lists['stoplist']?.version ?? '?'}`);
}
