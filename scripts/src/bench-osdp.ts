/**
 * bench:osdp — gate decision to turnstile-release command on the wire, over a real pty (socat).
 *
 *  ours:     OsdpPeripherals.release('IN') on the terminal's OSDP control panel (Secure Channel
 *            open, polling every 100 ms as in service) -> osdp_OUT sealed (MAC + AES) -> serialport
 *            -> pty -> the simulated PD, timed when its parser has the whole OUT packet. Taps come
 *            at random points of the poll cycle, so some wait for a POLL already on the line.
 *  baseline: a bare serialport write of the same bytes (the sealed OUT packet ours sent) on a
 *            second pty pair, timed the same way (the same packet parser at the far end).
 * Blocks alternate so both see the same machine load. Readable lines, then one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { SerialPort } from 'serialport';
import { PacketReader, SimPd, SimTurnstile, openSimSerialLine, realTimers } from '@rescard/hardware-sim';
import { SystemClock } from '@rescard/terminal';
// Relative import of the built adapters until @rescard/terminal exports them (see docs/adr/0002-osdp.md).
import { DEFAULT_TURNSTILE, OsdpControlPanel, OsdpPeripherals, SerialByteStream, SystemScheduler } from '../../terminal/dist/adapters/osdp/index.js';
import { median, percentile, round } from './bench-stats.js';

const SAMPLES_PER_BLOCK = 50;
const BLOCKS = Number(process.env['BENCH_OSDP_BLOCKS'] ?? 4);
const KEY = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
const POLL_MS = 100;
const log = pino({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];

async function ptyPair(tag: string): Promise<[string, string]> {
  const a = `/tmp/rescard-bench-osdp-${process.pid}-${tag}-a`;
  const b = `/tmp/rescard-bench-osdp-${process.pid}-${tag}-b`;
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(socat);
  let err = '';
  socat.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 500 && !(err.includes('starting data transfer loop') && existsSync(a) && existsSync(b)); i += 1) await sleep(10);
  if (!existsSync(a)) throw new Error(`socat did not start: ${err}`);
  return [a, b];
}

/** Resolves with the arrival time of the next OUT packet at the far end. */
type Arrival = () => Promise<number>;
function arrivals(): { next: Arrival; seen: (at: number) => void } {
  let waiting: ((at: number) => void) | undefined;
  return {
    next: () => new Promise((resolve) => (waiting = resolve)),
    seen: (at) => {
      waiting?.(at);
      waiting = undefined;
    },
  };
}

async function main(): Promise<void> {
  const [cpPath, pdPath] = await ptyPair('ours');
  const [barePath, bareFarPath] = await ptyPair('bare');
  const ours = arrivals();
  let outPacket: Buffer | undefined;
  const line = await openSimSerialLine(pdPath, 115200);
  const turnstile = new SimTurnstile(realTimers, { passProbability: 0 });
  const pd = new SimPd(line, realTimers, turnstile, { address: 0, scbk: KEY });
  pd.onCommand = (packet) => {
    if (packet.code !== 0x68) return;
    ours.seen(performance.now());
    outPacket = Buffer.from(packet.raw);
  };
  const stream = await SerialByteStream.open({ path: cpPath, baudRate: 115200 }, log);
  const scheduler = new SystemScheduler();
  const cp = new OsdpControlPanel({ stream, scheduler, clock: new SystemClock(), log }, { pds: [{ address: 0, scbk: KEY }], pollIntervalMs: POLL_MS });
  const peripherals = new OsdpPeripherals(cp, scheduler, log, { address: 0, turnstile: { ...DEFAULT_TURNSTILE, graceMs: 0 } });
  cp.start();
  for (let i = 0; i < 300 && !cp.state(0).secure; i += 1) await sleep(10);
  if (!cp.state(0).secure) throw new Error('the simulated PD did not come online with the Secure Channel');

  const bare = arrivals();
  const bareWriter = new SerialPort({ path: barePath, baudRate: 115200 });
  const bareReader = new SerialPort({ path: bareFarPath, baudRate: 115200 });
  const parser = new PacketReader();
  bareReader.on('data', (chunk: Buffer) => {
    if (parser.feed(chunk).some((p) => p.code === 0x68)) bare.seen(performance.now());
  });
  await Promise.all([bareWriter, bareReader].map((p) => new Promise((r) => (p.isOpen ? r(null) : p.once('open', r)))));

  const oursMs: number[] = [];
  const bareMs: number[] = [];
  const pending: Promise<unknown>[] = [];
  console.log(`bench:osdp — ${BLOCKS} blocks × ${SAMPLES_PER_BLOCK} releases each way, Secure Channel on, POLL every ${POLL_MS} ms, pty via socat`);
  for (let b = 0; b < BLOCKS; b += 1) {
    for (let i = 0; i < SAMPLES_PER_BLOCK; i += 1) {
      await sleep(Math.random() * POLL_MS); // land anywhere in the poll cycle
      const arrived = ours.next();
      const t0 = performance.now();
      pending.push(peripherals.release('IN', 200)); // the decision: release now
      oursMs.push((await arrived) - t0);
    }
    const frame = outPacket ?? Buffer.alloc(0);
    for (let i = 0; i < SAMPLES_PER_BLOCK; i += 1) {
      await sleep(Math.random() * 5);
      const arrived = bare.next();
      const t0 = performance.now();
      bareWriter.write(frame);
      bareMs.push((await arrived) - t0);
    }
    console.log(`  block ${b + 1}: ours p50 ${round(median(oursMs), 3)} ms, bare p50 ${round(median(bareMs), 3)} ms`);
  }
  await Promise.all(pending);
  await cp.stop();
  await stream.close();
  await line.close();
  await Promise.all([bareWriter, bareReader].map((p) => new Promise((r) => p.close(r))));

  const result = {
    bench: 'osdp',
    samples: oursMs.length,
    secureChannel: true,
    pollIntervalMs: POLL_MS,
    outPacketBytes: outPacket?.length ?? 0,
    releaseToWireMs: { p50: round(median(oursMs), 3), p99: round(percentile(oursMs, 99), 3) },
    baselineBareSerialportMs: { p50: round(median(bareMs), 3), p99: round(percentile(bareMs, 99), 3) },
    ratioP50: round(median(oursMs) / median(bareMs), 2),
    ratioP99: round(percentile(oursMs, 99) / percentile(bareMs, 99), 2),
  };
  console.log(`release -> OUT on the wire: p50 ${result.releaseToWireMs.p50} ms, p99 ${result.releaseToWireMs.p99} ms`);
  console.log(`bare serialport write of the same ${result.outPacketBytes}-byte packet: p50 ${result.baselineBareSerialportMs.p50} ms, p99 ${result.baselineBareSerialportMs.p99} ms`);
  console.log(`ratio p50 ${result.ratioP50}, p99 ${result.ratioP99} (p99 includes waiting for a POLL already on the line)`);
  console.log(JSON.stringify(result));
}

/** Stop the socat processes this bench started (by their own handles) and wait for them. */
function stopChildren(): Promise<unknown> {
  return Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : (c.once('close', resolve), c.kill())))));
}

main().then(
  async () => {
    await stopChildren();
    process.exit(0);
  },
  async (err: unknown) => {
    console.error(err);
    await stopChildren();
    process.exit(1);
  },
);
