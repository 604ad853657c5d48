/**
 * bench:ingest — end-to-end taps/s into the embedded server (durable SQLite commit + app ack),
 * against raw aedes QoS 1 publish throughput of the same messages in the same run.
 *
 *   ingest: the built server (`rescard-server start`, its own process, fresh data folder per
 *           round); N devices (real mqtt clients) publish batches of B taps at QoS 1, each
 *           keeping W batches in flight and counting a batch done on its application ack.
 *   raw:    a bare aedes broker (this file with --raw-broker, its own process); the same clients
 *           publish the same payloads, a batch is done on its PUBACK; nobody processes them.
 *   bare durable writer: the work the target asks for and nothing else, on one thread of this
 *           process: each drain payload decoded and schema-checked (decodePayload), its taps
 *           inserted through the server's own store, one FULL commit per 20 messages; no MQTT,
 *           no thread hop, no sequence state, no ack. The second ratio (ingest / bare) says how
 *           much the pipeline around that work costs.
 * Rounds alternate raw / ingest; figures are medians over rounds. Ack latency: publish → ack.
 *
 * Two phases per round, on the same broker/server:
 *   drain:  every device pushes its backlog as fast as its window allows (an outage's backlog).
 *           Throughput is the figure; latency here is queueing by construction (Little's law:
 *           devices × window × batch taps in flight ÷ throughput), so it is printed, not targeted.
 *   steady: the devices send live-sized batches (--steady-batch) at a fixed total rate
 *           (--steady-rate taps/s, open loop, below capacity) for --steady-seconds: the ack
 *           latency a tap sees on a normal day, against the raw broker's PUBACK latency.
 *
 *   node scripts/dist/bench-ingest.js [--devices 20] [--batch 100] [--window 4] [--taps 200000] [--rounds 3]
 *                                     [--steady-rate 10000] [--steady-batch 10] [--steady-seconds 5]
 * Readable lines, then one JSON line. Targets: ≥ 50 000 taps/s, ratio ≥ 0.8, ack p99 ≤ 100 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decodePayload, encodePayload, tapBatchSchema, topics, type TapBatch, type TapWire } from '@rescard/shared';
import { openServerDb, SqliteIngestStore } from '@rescard/server';
import mqtt, { type MqttClient } from 'mqtt';
import { median, percentile, round } from './bench-stats.js';

const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function tap(seq: number, device: number): TapWire {
  return {
    seq, tapId: `d${device}-t${seq}`, wallMs: Date.now(), monoMs: seq * 1000, bootId: 'boot-1',
    token: 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g', kid: 'reg-1', parToken: null, panMasked: '220000******0004', scheme: 'MIR',
    profile: 'bus', context: { routeId: 'r42', carrierId: 'c1', vehicleId: `v${device}`, utcOffsetMinutes: 180 }, outcome: 'ALLOW',
    reason: 'OK_FREE', counted: 'RIDE', amountKopecks: 0, fare: { type: 'FREE', kopecks: 0, category: 'pensioner' },
    flags: { staleList: false, restricted: false, clockFault: false }, listVersions: { benefit: 3, stoplist: 7 }, readMs: 220,
  };
}

/** Pre-encoded batches per device (built before any timing); seqs start after `firstSeq`. */
function payloads(devices: number, batch: number, perDevice: number, firstSeq = 0, prefix = 'b'): Buffer[][] {
  return Array.from({ length: devices }, (_, d) =>
    Array.from({ length: perDevice }, (_, b) => {
      const taps = Array.from({ length: batch }, (_, i) => tap(firstSeq + b * batch + i + 1, d));
      const msg: TapBatch = { v: 1, deviceId: `bench-${d}`, batchId: `${prefix}${b}`, sentAtMs: Date.now(), taps };
      return encodePayload(msg);
    }),
  );
}

function startChild(args: string[]): Promise<{ child: ChildProcess; mqtt: number }> {
  // BENCH_SERVER_NODE_ARGS: extra node flags for the broker/server process (e.g. --cpu-prof to profile it).
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited ${String(code)}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, mqtt: (JSON.parse(line) as { mqtt: number }).mqtt }));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** After this long without an app ack, a batch is published again, as a terminal would (the server drops the duplicate taps and acks). */
const RESEND_AFTER_MS = 10_000;

/** One device's run: W in flight, done on PUBACK (raw) or on its app ack (ingest). Returns latencies in ms; counts resends. */
async function device(client: MqttClient, d: number, batches: Buffer[], window: number, mode: 'raw' | 'ingest', resends: { count: number }, prefix = 'b'): Promise<number[]> {
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let next = 0;
  let done = 0;
  return new Promise<number[]>((resolve, reject) => {
    const publish = (batchId: string, body: Buffer): void => {
      client.publish(topics.deviceTaps(`bench-${d}`), body, { qos: 1 }, (err) => {
        if (err) reject(err);
        else if (mode === 'raw') finish(batchId);
      });
      if (mode === 'ingest') {
        timers.set(batchId, setTimeout(() => {
          resends.count += 1;
          publish(batchId, body);
        }, RESEND_AFTER_MS));
      }
    };
    const finish = (batchId: string): void => {
      if (mode === 'ingest') {
        const timer = timers.get(batchId);
        if (timer === undefined) return; // the ack of a resent batch that was acked already
        clearTimeout(timer);
        timers.delete(batchId);
      }
      latencies.push(performance.now() - (sentAt.get(batchId) ?? 0));
      done += 1;
      if (done === batches.length) resolve(latencies);
      else send();
    };
    const send = (): void => {
      while (next < batches.length && next - done < window) {
        const batchId = `${prefix}${next}`;
        sentAt.set(batchId, performance.now());
        const body = batches[next]!;
        next += 1;
        publish(batchId, body);
      }
    };
    const onAck = (_t: string, p: Buffer): void => finish((JSON.parse(p.toString()) as { batchId: string }).batchId);
    if (mode === 'ingest') client.on('message', onAck);
    send();
  }).finally(() => {
    client.removeAllListeners('message');
    for (const timer of timers.values()) clearTimeout(timer);
  });
}

/** Open loop: every device sends its next batch on a fixed schedule; latency publish → ack/PUBACK. */
async function steadyDevice(client: MqttClient, d: number, batches: Buffer[], intervalMs: number, mode: 'raw' | 'ingest'): Promise<number[]> {
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let done = 0;
  return new Promise<number[]>((resolve, reject) => {
    const finish = (batchId: string): void => {
      latencies.push(performance.now() - (sentAt.get(batchId) ?? 0));
      done += 1;
      if (done === batches.length) resolve(latencies);
    };
    if (mode === 'ingest') client.on('message', (_t, p) => finish((JSON.parse(p.toString()) as { batchId: string }).batchId));
    const t0 = performance.now() + Math.random() * intervalMs; // devices out of phase
    batches.forEach((body, i) => {
      const batchId = `s${i}`;
      setTimeout(() => {
        sentAt.set(batchId, performance.now());
        client.publish(topics.deviceTaps(`bench-${d}`), body, { qos: 1 }, (err) => {
          if (err) reject(err);
          else if (mode === 'raw') finish(batchId);
        });
      }, t0 + i * intervalMs - performance.now());
    });
  }).finally(() => client.removeAllListeners('message'));
}

interface Steady {
  readonly rate: number;
  readonly batch: number;
  readonly data: Buffer[][];
}

/** CPU time (user + system, all threads) a process has used, in µs, from /proc (clock ticks of 10 ms). */
function processCpuUs(pid: number): number {
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

interface RoundResult {
  tapsPerS: number;
  /** Drain phase: CPU µs per tap spent by the broker/server process and by the clients (this process). */
  serverCpuUsPerTap: number;
  clientCpuUsPerTap: number;
  /** Drain batches published again after RESEND_AFTER_MS without an ack (a commit that failed acks nothing). */
  resends: number;
  p50: number;
  p99: number;
  steadyP50: number;
  steadyP99: number;
}

async function round1(mode: 'raw' | 'ingest', data: Buffer[][], batch: number, window: number, steady: Steady): Promise<RoundResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescard-bench-'));
  const args = mode === 'raw' ? [fileURLToPath(import.meta.url), '--raw-broker'] : [SERVER_MAIN, 'start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn'];
  const { child, mqtt: port } = await startChild(args);
  try {
    const clients = await Promise.all(data.map((_, d) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-${d}`, protocolVersion: 4, reconnectPeriod: 0 })));
    if (mode === 'ingest') await Promise.all(clients.map((c, d) => c.subscribeAsync(topics.deviceAck(`bench-${d}`), { qos: 1 })));
    const cpu0 = { server: processCpuUs(child.pid!), client: ownCpuUs() };
    const t0 = performance.now();
    const resends = { count: 0 };
    const lat = (await Promise.all(clients.map((c, d) => device(c, d, data[d]!, window, mode, resends)))).flat();
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = { server: processCpuUs(child.pid!), client: ownCpuUs() };
    const intervalMs = (1000 * steady.batch * clients.length) / steady.rate;
    const steadyLat = (await Promise.all(clients.map((c, d) => steadyDevice(c, d, steady.data[d]!, intervalMs, mode)))).flat();
    await Promise.all(clients.map((c) => c.endAsync()));
    const taps = data.reduce((n, b) => n + b.length, 0) * batch;
    return {
      tapsPerS: taps / seconds,
      serverCpuUsPerTap: (cpu1.server - cpu0.server) / taps,
      clientCpuUsPerTap: (cpu1.client - cpu0.client) / taps,
      resends: resends.count,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      steadyP50: percentile(steadyLat, 50),
      steadyP99: percentile(steadyLat, 99),
    };
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Messages per commit in the bare durable writer (the server groups whatever arrived meanwhile: ~28 in a drain). */
const BARE_GROUP = 20;

/** The bare durable writer over the drain payloads (see the top): taps/s. */
function bareDurableWriter(data: Buffer[][], batch: number): number {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescard-bench-bare-'));
  const db = openServerDb(join(dataDir, 'server.db'));
  try {
    const store = new SqliteIngestStore(db);
    // Interleaved as devices send them: each device's 1st batch, then each one's 2nd, ...
    const messages = data[0]!.flatMap((_, b) => data.map((d) => d[b]!));
    const t0 = performance.now();
    for (let i = 0; i < messages.length; i += BARE_GROUP) {
      store.transaction(() => {
        for (const bytes of messages.slice(i, i + BARE_GROUP)) {
          const d = decodePayload(tapBatchSchema, bytes);
          if (!d.ok) throw new Error(`bench payload refused: ${d.reason}`);
          const receivedAtMs = Date.now();
          for (const tap of d.value.taps) store.insertTap({ deviceId: d.value.deviceId, tap, receivedAtMs, late: false, batchId: d.value.batchId, viaGatewayId: null });
        }
      });
    }
    return (messages.length * batch) / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function rawBroker(): Promise<void> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({ maxClientsIdLength: 64 });
  const server = createServer((s) => broker.handle(s)).listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ mqtt: (server.address() as AddressInfo).port })}\n`);
  });
  process.once('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));
}

async function main(): Promise<void> {
  if (process.argv.includes('--raw-broker')) return rawBroker();
  const devices = arg('devices', 20);
  const batch = arg('batch', 100);
  const window = arg('window', 4);
  const taps = arg('taps', 200_000);
  const rounds = arg('rounds', 3);
  const steadyRate = arg('steady-rate', 10_000);
  const steadyBatch = arg('steady-batch', 10);
  const steadySeconds = arg('steady-seconds', 5);
  const perDevice = Math.ceil(taps / devices / batch);
  const data = payloads(devices, batch, perDevice);
  const steadyPerDevice = Math.max(1, Math.round((steadyRate * steadySeconds) / steadyBatch / devices));
  const steady: Steady = { rate: steadyRate, batch: steadyBatch, data: payloads(devices, steadyBatch, steadyPerDevice, perDevice * batch, 's') };
  console.log(`bench:ingest — drain: ${devices} devices × batches of ${batch} taps (${data[0]![0]!.length} bytes), ${window} in flight each, ${data.length * perDevice * batch} taps per round; steady: ${steadyRate} taps/s in batches of ${steadyBatch} for ${steadySeconds} s; ${rounds} rounds`);
  const raw: RoundResult[] = [];
  const ingest: RoundResult[] = [];
  const bare: number[] = [];
  for (let r = 0; r < rounds; r++) {
    raw.push(await round1('raw', data, batch, window, steady));
    ingest.push(await round1('ingest', data, batch, window, steady));
    bare.push(bareDurableWriter(data, batch));
    const a = raw.at(-1)!;
    const b = ingest.at(-1)!;
    console.log(
      `round ${r + 1}: drain raw aedes QoS 1 ${Math.round(a.tapsPerS)} taps/s | ingest ${Math.round(b.tapsPerS)} taps/s (queueing: app ack p99 ${round(b.p99)} ms) | ratio ${round(b.tapsPerS / a.tapsPerS)}` +
        ` | bare durable writer ${Math.round(bare.at(-1)!)} taps/s (ratio ${round(b.tapsPerS / bare.at(-1)!)})` +
        ` || steady ${steadyRate}/s: app ack p50 ${round(b.steadyP50)} ms, p99 ${round(b.steadyP99)} ms (raw PUBACK p99 ${round(a.steadyP99)} ms)`,
    );
  }
  const bareTps = median(bare);
  const rawTps = median(raw.map((x) => x.tapsPerS));
  const ingestTps = median(ingest.map((x) => x.tapsPerS));
  const ackP99 = median(ingest.map((x) => x.p99));
  const cpu = {
    rawServerUsPerTap: round(median(raw.map((x) => x.serverCpuUsPerTap))),
    ingestServerUsPerTap: round(median(ingest.map((x) => x.serverCpuUsPerTap))),
    rawClientUsPerTap: round(median(raw.map((x) => x.clientCpuUsPerTap))),
    ingestClientUsPerTap: round(median(ingest.map((x) => x.clientCpuUsPerTap))),
  };
  const result = {
    bench: 'ingest',
    config: { devices, batch, window, tapsPerRound: data.length * data[0]!.length * batch, rounds },
    steady: { tapsPerS: steadyRate, batch: steadyBatch, seconds: steadySeconds },
    targets: { tapsPerS: 50_000, ratio: 0.8, ackP99Ms: 100 },
    ingestTapsPerS: Math.round(ingestTps),
    rawAedesTapsPerS: Math.round(rawTps),
    ratio: round(ingestTps / rawTps),
    bareDurableWriterTapsPerS: Math.round(bareTps),
    ratioToBareDurableWriter: round(ingestTps / bareTps),
    drainAckP50Ms: round(median(ingest.map((x) => x.p50))),
    drainAckP99Ms: round(ackP99),
    ackP50Ms: round(median(ingest.map((x) => x.steadyP50))),
    ackP99Ms: round(median(ingest.map((x) => x.steadyP99))),
    rawPubackP99Ms: round(median(raw.map((x) => x.steadyP99))),
    ackP99Ratio: round(median(ingest.map((x) => x.steadyP99)) / median(raw.map((x) => x.steadyP99))),
    cores: availableParallelism(),
    drainResends: ingest.reduce((n, x) => n + x.resends, 0),
    drainCpuUsPerTap: cpu,
  };
  console.log(
    `median: drain ingest ${result.ingestTapsPerS} taps/s, raw aedes ${result.rawAedesTapsPerS} taps/s, ratio ${result.ratio}; bare durable writer ${result.bareDurableWriterTapsPerS} taps/s, ratio ${result.ratioToBareDurableWriter}; steady app ack p99 ${result.ackP99Ms} ms (raw PUBACK p99 ${result.rawPubackP99Ms} ms)`,
  );
  console.log(
    `drain CPU per tap (all threads, µs): broker/server raw ${cpu.rawServerUsPerTap}, ingest ${cpu.ingestServerUsPerTap}; clients raw ${cpu.rawClientUsPerTap}, ingest ${cpu.ingestClientUsPerTap}; ${result.cores} cores; drain batches resent after ${RESEND_AFTER_MS / 1000} s without an ack: ${result.drainResends}`,
  );
  console.log(JSON.stringify(result));
}

await main();
