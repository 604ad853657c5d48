/**
 * `rescard-sim fleet` against the real server, both as processes (built dist/, ports 0): 20
 * terminals tap over MQTT; the server holds exactly what they journaled, per device, and a
 * stop-list change made during the run reaches every terminal. Then the server is killed with
 * SIGKILL mid-run and restarted on the same data folder and ports: the fleet reconnects, resends
 * what was unacked, and every tap is still stored exactly once. Needs `tsc -b` first.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SIM = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SERVER = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

interface Ports {
  http: number;
  mqtt: number;
}
interface Summary {
  journaled: number;
  tapsSent: number;
  acked: number;
  allAcked: boolean;
  reconnects: number;
  duplicatesInAcks: number;
  serverAgrees: boolean | null;
  listVersions: Record<string, { min: number; max: number }>;
  perDevice: { deviceId: string; journaled: number; committedUpTo: number }[];
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startServer(dataDir: string, ports: Ports = { http: 0, mqtt: 0 }): Promise<{ child: ChildProcessWithoutNullStreams; ports: Ports }> {
  const child = spawn(process.execPath, [SERVER, 'start', '--data', dataDir, '--http-port', String(ports.http), '--mqtt-port', String(ports.mqtt), '--log-level', 'warn']);
  children.push(child);
  const first = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${String(code)}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  // The operator API token the server wrote at its first start (docs/auth.md).
  token = (JSON.parse(readFileSync(join(dataDir, 'auth', 'bootstrap.json'), 'utf8')) as { token: string }).token;
  return { child, ports: JSON.parse(first) as Ports };
}

let token = '';

function runFleet(args: string[]): { lines: string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, [SIM, 'fleet', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RESCARD_TOKEN: token } });
  children.push(child);
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => {
    if (code !== 0) console.error(stderr.slice(-2000));
    resolve(code);
  }));
  return { lines, done };
}

async function api<T>(port: number, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The server's view: per device, sequence state and the number of stored taps. */
async function expectServerHolds(port: number, summary: Summary): Promise<void> {
  const { devices } = await api<{ devices: { deviceId: string; seq: { committedUpTo: number; maxSeq: number; openGaps: number } | null }[] }>(port, 'GET', '/api/devices');
  const byId = new Map(devices.map((d) => [d.deviceId, d.seq]));
  expect(summary.perDevice).toHaveLength(20);
  for (const d of summary.perDevice) {
    expect(d.journaled).toBeGreaterThan(0);
    expect(byId.get(d.deviceId), d.deviceId).toEqual({ committedUpTo: d.journaled, maxSeq: d.journaled, openGaps: 0 });
    const { taps } = await api<{ taps: { seq: number }[] }>(port, 'GET', `/api/taps?deviceId=${d.deviceId}&fromSeq=0&limit=10000`);
    expect(taps.map((t) => t.seq)).toEqual(Array.from({ length: d.journaled }, (_, i) => i + 1));
  }
}

const FLEET = ['--terminals', '20', '--rate', '25', '--batch', '20', '--heartbeat-ms', '1000'];

describe.skipIf(!existsSync(SIM) || !existsSync(SERVER))('rescard-sim fleet against rescard-server', () => {
  it('every journaled tap is stored once per device; a stop-list change reaches all terminals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-fleet-'));
    dirs.push(dir);
    const { ports } = await startServer(join(dir, 'server'));
    await api(ports.http, 'POST', '/api/lists/stoplist/region/snapshot', { entries: [] });
    const fleet = runFleet(['--server', `http://127.0.0.1:${ports.http}`, ...FLEET, '--duration', '4', '--seed', '7']);
    await sleep(1500);
    const added = await api<{ version: number }>(ports.http, 'PUT', '/api/lists/stoplist/region/entries', { entries: [{ token: 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g' }] });
    expect(await fleet.done).toBe(0);
    const summary = JSON.parse(fleet.lines.at(-1)!) as Summary;
    expect(summary).toMatchObject({ allAcked: true, serverAgrees: true, reconnects: 0 });
    expect(summary.journaled).toBeGreaterThan(20 * 25 * 3);
    expect(summary.acked).toBe(summary.journaled);
    expect(summary.listVersions['stoplist']).toEqual({ min: added.version, max: added.version });
    await expectServerHolds(ports.http, summary);
    const { atOrAbove } = await api<{ atOrAbove: number }>(ports.http, 'GET', `/api/lists/propagation?list=stoplist&version=${added.version}`);
    expect(atOrAbove).toBe(20); // heartbeats carried the applied version
  });

  it('SIGKILL of the server mid-run, restart on the same data and ports: every tap arrives exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-fleet-kill-'));
    dirs.push(dir);
    const first = await startServer(join(dir, 'server'));
    // 20 × 100 taps/s in batches of 20.
    const fleet = runFleet(['--server', `http://127.0.0.1:${first.ports.http}`, ...FLEET, '--rate', '100', '--duration', '7', '--reconnect-ms', '300', '--ack-timeout-ms', '2000']);
    await sleep(2500);
    const killed = new Promise((r) => first.child.once('exit', r));
    // Frozen first, so that batches are surely sent and unacknowledged when it dies (the kernel
    // still takes their bytes; acks come within ms otherwise, and a kill could fall between batches).
    first.child.kill('SIGSTOP');
    await sleep(500);
    first.child.kill('SIGKILL');
    await killed;
    await sleep(1500); // terminals tap offline meanwhile
    const second = await startServer(join(dir, 'server'), first.ports);
    expect(second.ports).toEqual(first.ports);
    expect(await fleet.done).toBe(0);
    const summary = JSON.parse(fleet.lines.at(-1)!) as Summary;
    expect(summary).toMatchObject({ allAcked: true, serverAgrees: true });
    expect(summary.reconnects).toBeGreaterThanOrEqual(20);
    expect(summary.tapsSent).toBeGreaterThan(summary.journaled); // unacked batches were resent
    await expectServerHolds(second.ports.http, summary);
  });
});
