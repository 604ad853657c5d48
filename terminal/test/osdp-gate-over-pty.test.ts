/**
 * End to end over a real pseudo-terminal pair (socat): the terminal's OSDP control panel on
 * `serialport` (SerialByteStream) drives the simulated turnstile PD from hardware-sim, itself on
 * `serialport`, with the Secure Channel. First the PD in this process (so faults can be switched
 * on and off), then the real `rescard-sim turnstile` command (needs hardware-sim built: tsc -b).
 * Real time, short timings. socat comes from Debian (scripts/setup.sh installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimPd, SimTurnstile, openSimSerialLine, realTimers, type SimSerialLine } from '@rescard/hardware-sim';
import { SystemClock } from '../src/adapters/system/system-clock.js';
import { DEFAULT_TURNSTILE, OsdpControlPanel, OsdpPeripherals, SerialByteStream, SystemScheduler } from '../src/adapters/osdp/index.js';

const KEY = '00112233445566778899AABBCCDDEEFF';
const SIM_BIN = fileURLToPath(new URL('../../hardware-sim/dist/main.js', import.meta.url));
const log = pino({ level: process.env['RESCARD_TEST_LOG'] ?? 'silent' });

interface PtyPair {
  readonly a: string;
  readonly b: string;
  readonly socat: ChildProcess;
}

function ptyPair(tag: string): Promise<PtyPair> {
  const a = `/tmp/rescard-osdp-${process.pid}-${tag}-cp`;
  const b = `/tmp/rescard-osdp-${process.pid}-${tag}-pd`;
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${stderr}`)), 5000);
    socat.on('error', reject);
    socat.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
        clearTimeout(timer);
        resolve({ a, b, socat });
      }
    });
  });
}

function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`${what} did not happen within ${ms} ms`));
      else setTimeout(check, 10);
    };
    check();
  });
}

async function controlPanel(path: string) {
  const stream = await SerialByteStream.open({ path, baudRate: 115200 }, log);
  const scheduler = new SystemScheduler();
  const cp = new OsdpControlPanel(
    { stream, scheduler, clock: new SystemClock(), log },
    { pds: [{ address: 1, name: 'gate-turnstile', scbk: Buffer.from(KEY, 'hex') }], pollIntervalMs: 50, reconnectIntervalMs: 300 },
  );
  const events: string[] = [];
  for (const e of ['online', 'offline', 'secure-channel-lost'] as const) cp.events.on(e, () => events.push(e));
  const peripherals = new OsdpPeripherals(cp, scheduler, log, { address: 1, turnstile: { ...DEFAULT_TURNSTILE, graceMs: 300 } });
  cp.start();
  return { cp, stream, peripherals, events };
}

describe('gate over a pty: CP on serialport, simulated PD on serialport, Secure Channel', () => {
  let pair: PtyPair;
  let line: SimSerialLine;
  let sim: SimPd;
  let turnstile: SimTurnstile;
  let nobodyComes = false;
  let cp: Awaited<ReturnType<typeof controlPanel>>;

  beforeAll(async () => {
    pair = await ptyPair('inproc');
    line = await openSimSerialLine(pair.b, 115200);
    turnstile = new SimTurnstile(realTimers, { walkMs: 150, pulseMs: 150, random: () => (nobodyComes ? 1 : 0) });
    sim = new SimPd(line, realTimers, turnstile, { address: 1, scbk: Buffer.from(KEY, 'hex') });
    cp = await controlPanel(pair.a);
    await waitFor(() => cp.cp.state(1).online, 'PD online');
  });

  afterAll(async () => {
    await cp.cp.stop();
    await cp.stream.close();
    await line.close();
    await stopProcess(pair.socat);
  });

  it('comes online under the Secure Channel', () => {
    expect(cp.cp.state(1)).toMatchObject({ online: true, secure: true });
    expect(sim.secure).toBe(true);
  });

  it('ALLOW: green, buzz, text and release; the passage sensor confirms -> passed', async () => {
    await cp.peripherals.indicate({ outcome: 'ALLOW', text: 'Проходите' });
    expect(await cp.peripherals.release('IN', 800)).toBe('passed');
    await waitFor(() => turnstile.log.at(-1) === 'turnstile IN locked', 'relocked after the passage');
    expect(turnstile.log).toEqual(['LED green for 3000 ms', 'BUZZER 1 x 200 ms', 'TEXT "Prokhodite" (3 s)', 'turnstile IN released for 800 ms', 'person passed IN', 'turnstile IN locked']);
  });

  it('nobody passes -> not-passed', async () => {
    nobodyComes = true;
    try {
      expect(await cp.peripherals.release('OUT', 300)).toBe('not-passed');
    } finally {
      nobodyComes = false;
    }
  });

  it('a reply with a wrong MAC is rejected; the session is set up again', async () => {
    sim.faults = { macOnce: true };
    await waitFor(() => cp.events.includes('secure-channel-lost'), 'secure channel lost');
    await waitFor(() => cp.cp.state(1).online && cp.cp.state(1).secure, 'secure again');
    expect(cp.events).not.toContain('offline');
    expect(await cp.peripherals.release('IN', 800)).toBe('passed');
  });

  it('PD offline and back: an alarm, then online again', async () => {
    sim.offline();
    await waitFor(() => !cp.peripherals.status().allOnline, 'offline', 3000);
    expect(await cp.peripherals.release('IN', 800)).toBe('not-passed');
    sim.online();
    await waitFor(() => cp.peripherals.status().allOnline, 'online again', 3000);
    expect(cp.events.filter((e) => e === 'offline')).toHaveLength(1);
    expect(await cp.peripherals.release('IN', 800)).toBe('passed');
  });
});

describe('the real `rescard-sim turnstile` command over a pty', () => {
  it.skipIf(!existsSync(SIM_BIN))('is driven by the CP with the Secure Channel, prints what it shows, stops on Ctrl-C', async () => {
    const pair = await ptyPair('cli');
    const child = spawn(process.execPath, [SIM_BIN, 'turnstile', '--port', pair.b, '--address', '1', '--scbk', KEY, '--walk-ms', '100', '--pass-probability', '1', '--baud', '115200'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor(() => stdout.includes('Ctrl-C to stop'), 'sim started');
      const cp = await controlPanel(pair.a);
      try {
        await waitFor(() => cp.cp.state(1).online && cp.cp.state(1).secure, 'CLI PD online');
        await cp.peripherals.indicate({ outcome: 'DENY', text: 'Карта в стоп-листе' });
        expect(await cp.peripherals.release('IN', 800)).toBe('passed');
        await waitFor(() => stdout.includes('person passed IN'), 'passage printed');
        expect(stdout).toContain('turnstile: LED red for 3000 ms');
        expect(stdout).toContain('turnstile: TEXT "Karta v stop-liste"');
      } finally {
        await cp.cp.stop();
        await cp.stream.close();
      }
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/stopped after \d+ commands, 1 passages/);
    } finally {
      await stopProcess(child);
      await stopProcess(pair.socat);
    }
  });
});

/** Ends a process this test started (by its handle) and waits until it is gone. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.kill();
  });
}
