/**
 * bench:propagate — how long a new stop-list entry takes to reach 1,000 connected terminals.
 *
 *   lists:    the built server (`rescard-server start`, its own process, fresh data folder) and N
 *             simulated terminals (hardware-sim's fleet, in this process, real mqtt clients, each
 *             subscribed to its audience's lists). Per round: PUT one stop-list entry through the
 *             operator API; per terminal, the time from the request until it applied the new
 *             version (the announcement's inline delta on its held version; the fleet tracks lists,
 *             it does not verify them — the terminal's own list tests cover that).
 *   baseline: a bare aedes broker (same package the server embeds; this file with --raw-broker, its
 *             own process) and N plain subscribers; per round, the time for one retained QoS 1
 *             publish of a payload the size of an announcement to reach each of them. (The server's
 *             broker refuses client publishes on list topics, so the baseline needs its own broker.)
 * Figures: p50 / p95 / p100 across terminals, medians over rounds. Target: p95 ≤ 5 s.
 * Then, on one device (bench-propagate-device.ts): a 1M-entry snapshot fetched over HTTP,
 * verified and swapped into a real SQLite list store, onto an empty store and over a full one
 * (target ≤ 5 s), and a 10k-entry delta applied (target ≤ 200 ms; then the time its rows take to
 * fold into the list in the background), medians over rounds, each against bare baselines
 * measured in the same run.
 *
 *   node scripts/dist/bench-propagate.js [--terminals 1000] [--rounds 3]
 *     [--entries 1000000] [--delta-entries 10000] [--device-rounds 3]
 * --terminals 0 skips the fleet part; --entries 0 the device part. Readable lines, then one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Fleet } from '@rescard/hardware-sim';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { deviceRounds, type DeviceFigures } from './bench-propagate-device.js';
import { median, percentile, round } from './bench-stats.js';

const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const ROUND_TIMEOUT_MS = 30_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function startChild(args: string[]): Promise<{ child: ChildProcess; http: number; mqtt: number }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited ${String(code)}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...(JSON.parse(line) as { http: number; mqtt: number }) }));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The API token the bench's own fresh server wrote for its operator (when the server has auth). */
function operatorToken(dataDir: string): string | null {
  const path = join(dataDir, 'auth', 'bootstrap.json');
  return existsSync(path) ? ((JSON.parse(readFileSync(path, 'utf8')) as { token?: string }).token ?? null) : null;
}

let authDir: string | null = null;
let bearer: string | null = null;

async function api<T>(port: number, method: string, path: string, body: unknown): Promise<T> {
  let res: Response;
  // The server may write its bootstrap file just after it starts listening: read it when asked for.
  for (let attempt = 0; ; attempt += 1) {
    if (bearer === null && authDir !== null) bearer = operatorToken(authDir);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) };
    res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: JSON.stringify(body) });
    if (res.status !== 401 || bearer !== null || attempt >= 50) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Spread { p50: number; p95: number; p100: number }
const spread = (ms: number[]): Spread => ({ p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p100: round(percentile(ms, 100)) });

async function listRounds(terminals: number, rounds: number): Promise<{ connectMs: number; rounds: (Spread & { apiMs: number })[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescard-bench-propagate-'));
  const server = await startChild([SERVER_MAIN, 'start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
  let fleet: Fleet | null = null;
  [authDir, bearer] = [dataDir, null];
  try {
    let { version } = await api<{ version: number }>(server.http, 'POST', '/api/lists/stoplist/region/snapshot', { entries: [] });
    let seen = new Map<string, number>();
    let t0 = 0;
    let above = version;
    const t = performance.now();
    fleet = new Fleet({
      mqttUrl: `mqtt://127.0.0.1:${server.mqtt}`, terminals, ratePerTerminal: 0, batchSize: 50, maxInFlight: 4, ackTimeoutMs: 5000, profile: 'bus',
      audience: 'region', seed: 1, prefix: 'bench', journalCapacity: 1000, heartbeatMs: 0, reconnectMs: 1000, log: pino({ level: 'warn' }),
      onListApplied: (deviceId, list, v) => {
        if (list === 'stoplist' && v > above && !seen.has(deviceId)) seen.set(deviceId, performance.now() - t0);
      },
    });
    const f = fleet;
    await until('all terminals connected with the first stop-list', () => f.terminals.every((x) => x.connected && (x.lists.held().stoplist ?? 0) >= version), 60_000);
    const connectMs = performance.now() - t;
    const out: (Spread & { apiMs: number })[] = [];
    for (let r = 0; r < rounds; r++) {
      seen = new Map();
      above = version;
      const token = createHash('sha256').update(`bench-propagate-${r}`).digest('base64url');
      t0 = performance.now();
      ({ version } = await api<{ version: number }>(server.http, 'PUT', '/api/lists/stoplist/region/entries', { entries: [{ token, attrs: { reason: 'LOST' } }] }));
      const apiMs = performance.now() - t0;
      await until(`round ${r + 1}: every terminal at v${version}`, () => seen.size === terminals, ROUND_TIMEOUT_MS);
      const wrong = f.terminals.filter((x) => x.lists.held().stoplist !== version).length;
      if (wrong > 0) throw new Error(`${wrong} terminals hold another version than ${version}`);
      out.push({ ...spread([...seen.values()]), apiMs: round(apiMs) });
      await new Promise((res) => setTimeout(res, 500));
    }
    return { connectMs, rounds: out };
  } finally {
    await fleet?.close();
    await stopChild(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function baselineRounds(subscribers: number, rounds: number, payloadBytes: number): Promise<Spread[]> {
  const broker = await startChild([fileURLToPath(import.meta.url), '--raw-broker']);
  const url = `mqtt://127.0.0.1:${broker.mqtt}`;
  const topic = 'bench/propagate/retained';
  let arrived = new Map<number, number>();
  let t0 = 0;
  const clients = await Promise.all(Array.from({ length: subscribers }, (_, i) => mqtt.connectAsync(url, { clientId: `sub-${i}`, protocolVersion: 4, reconnectPeriod: 0 })));
  const publisher = await mqtt.connectAsync(url, { clientId: 'publisher', protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await Promise.all(clients.map(async (c, i) => {
      c.on('message', () => {
        if (!arrived.has(i)) arrived.set(i, performance.now() - t0);
      });
      await c.subscribeAsync(topic, { qos: 1 });
    }));
    const out: Spread[] = [];
    for (let r = 0; r < rounds; r++) {
      arrived = new Map();
      t0 = performance.now();
      await publisher.publishAsync(topic, Buffer.alloc(payloadBytes, 'x'), { qos: 1, retain: true });
      await until(`baseline round ${r + 1}`, () => arrived.size === subscribers, ROUND_TIMEOUT_MS);
      out.push(spread([...arrived.values()]));
      await new Promise((res) => setTimeout(res, 500));
    }
    return out;
  } finally {
    await Promise.all([...clients, publisher].map((c) => c.endAsync()));
    await stopChild(broker.child);
  }
}

async function rawBroker(): Promise<void> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({ maxClientsIdLength: 64 });
  const server = createServer((s) => broker.handle(s)).listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ http: 0, mqtt: (server.address() as AddressInfo).port })}\n`);
  });
  process.once('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));
}

async function main(): Promise<void> {
  if (process.argv.includes('--raw-broker')) return rawBroker();
  const terminals = arg('terminals', 1000);
  const rounds = arg('rounds', 3);
  // The stop-list announcement with a one-entry inline delta (signed manifest included) is 775 bytes.
  const payloadBytes = arg('payload-bytes', 775);
  const entries = arg('entries', 1_000_000);
  const deltaEntries = arg('delta-entries', 10_000);
  const deviceRoundCount = arg('device-rounds', 3);
  const med = (xs: Spread[], k: keyof Spread): number => round(median(xs.map((x) => x[k])));
  let fleet: Record<string, unknown> = {};
  if (terminals > 0) {
    console.log(`bench:propagate — ${terminals} terminals subscribed to the region lists, ${rounds} rounds of one stop-list entry`);
    const lists = await listRounds(terminals, rounds);
    console.log(`connected ${terminals} terminals and took stop-list v1 in ${Math.round(lists.connectMs)} ms`);
    lists.rounds.forEach((r, i) => console.log(`round ${i + 1}: PUT answered in ${r.apiMs} ms; applied by all: p50 ${r.p50} ms, p95 ${r.p95} ms, p100 ${r.p100} ms`));
    const base = await baselineRounds(terminals, rounds, payloadBytes);
    base.forEach((r, i) => console.log(`baseline round ${i + 1}: bare aedes retained QoS 1 publish (${payloadBytes} B) → ${terminals} subscribers: p50 ${r.p50} ms, p95 ${r.p95} ms, p100 ${r.p100} ms`));
    const entryMs = { p50: med(lists.rounds, 'p50'), p95: med(lists.rounds, 'p95'), p100: med(lists.rounds, 'p100') };
    const baseMs = { p50: med(base, 'p50'), p95: med(base, 'p95'), p100: med(base, 'p100') };
    console.log(`median: stop-list entry applied by all ${terminals} terminals p95 ${entryMs.p95} ms (p100 ${entryMs.p100} ms) vs bare retained publish p95 ${baseMs.p95} ms`);
    fleet = {
      stoplistEntryMs: entryMs, apiMs: round(median(lists.rounds.map((r) => r.apiMs))), baselineRetainedPublishMs: baseMs,
      stoplistRatioToBaselineP95: round(entryMs.p95 / Math.max(baseMs.p95, 1e-3)),
    };
  }
  let device: DeviceFigures | null = null;
  if (entries > 0) {
    console.log(`device: ${entries}-entry snapshot and ${deltaEntries}-entry delta, ${deviceRoundCount} rounds`);
    device = await deviceRounds({ entries, deltaEntries, rounds: deviceRoundCount, log: (line) => console.log(line) });
    console.log(`median: snapshot onto an empty store ${device.firstSnapshotMs} ms; snapshot fetch+verify+swap over a full store ${device.snapshotMs} ms (longest stall ${device.longestStallMs.snapshot} ms; bare download+sha256 + bare insert: ${device.snapshotBaseline.sumMs} ms, ratio ${round(device.snapshotMs / device.snapshotBaseline.sumMs)}); delta ${device.deltaMs} ms (longest stall ${device.longestStallMs.delta} ms; bare: ${device.deltaBaseline.sumMs} ms, ratio ${round(device.deltaMs / device.deltaBaseline.sumMs)}), then folded in the background in ${device.fold.totalMs} ms (longest step ${device.fold.maxStepMs} ms); a swap's old rows dropped in the background in ${device.drop.totalMs} ms (longest step ${device.drop.maxStepMs} ms)`);
  }
  const stoplistP95 = (fleet['stoplistEntryMs'] as Spread | undefined)?.p95;
  const result = {
    bench: 'propagate',
    config: { terminals, rounds, baselinePayloadBytes: payloadBytes, entries, deltaEntries, deviceRounds: deviceRoundCount },
    targets: { p95Ms: 5000, snapshotMs: 5000, deltaMs: 200 },
    ...fleet,
    ...(device === null ? {} : {
      device: {
        ...device,
        snapshotRatioToBaseline: round(device.snapshotMs / device.snapshotBaseline.sumMs),
        deltaRatioToBaseline: round(device.deltaMs / device.deltaBaseline.sumMs),
      },
    }),
    meetsTarget: {
      stoplistP95: stoplistP95 === undefined ? null : stoplistP95 <= 5000,
      snapshot: device === null || entries !== 1_000_000 ? null : device.snapshotMs <= 5000,
      firstSnapshot: device === null || entries !== 1_000_000 ? null : device.firstSnapshotMs <= 5000,
      delta: device === null || deltaEntries !== 10_000 ? null : device.deltaMs <= 200,
    },
  };
  console.log(JSON.stringify(result));
}

await main();
