/**
 * `rescard-sim turnstile` as a process on a socat pseudo-terminal pair: answers SIA OSDP 2.2
 * Annex E's osdp_ID packet byte for byte as a PD should, advertises the Secure Channel when it
 * has a key, and refuses bad options with exit code 2. Needs the built CLI (tsc -b) and socat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSimSerialLine, PacketReader, type Packet } from '../src/index.js';

const BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ANNEX_E_ID = Buffer.from('53000900046100C066', 'hex'); // CRC example 2: osdp_ID, address 0, SQN 0
const CAP_SQN1 = Buffer.from('53000900056200A304', 'hex'); // osdp_CAP, address 0, SQN 1 (from terminal/src/protocol/osdp/golden/independent_osdp.py)

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('close', resolve)) };
}

function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => (condition() ? resolve() : Date.now() > deadline ? reject(new Error(`${what}: timed out`)) : void setTimeout(tick, 10));
    tick();
  });
}

async function socatPair(): Promise<{ a: string; b: string; socat: ChildProcess }> {
  const a = `/tmp/rescard-sim-osdp-${process.pid}-a`;
  const b = `/tmp/rescard-sim-osdp-${process.pid}-b`;
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  socat.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await until(() => log.includes('starting data transfer loop') && existsSync(a) && existsSync(b), 'socat');
  return { a, b, socat };
}

describe.skipIf(!existsSync(BIN))('rescard-sim turnstile', () => {
  it('answers osdp_ID and osdp_CAP over a pty, with the Secure Channel advertised', async () => {
    const { a, b, socat } = await socatPair();
    const sim = run(['turnstile', '--port', b, '--scbk', '000102030405060708090A0B0C0D0E0F']);
    try {
      await until(() => sim.output().includes('Ctrl-C to stop'), 'sim started');
      const line = await openSimSerialLine(a);
      const reader = new PacketReader();
      const replies: Packet[] = [];
      line.onData((chunk) => replies.push(...reader.feed(chunk)));
      await line.write(ANNEX_E_ID);
      await until(() => replies.length === 1, 'PDID');
      expect(replies[0]).toMatchObject({ address: 0, reply: true, sqn: 0, code: 0x45 });
      await line.write(CAP_SQN1);
      await until(() => replies.length === 2, 'PDCAP');
      const caps = [...replies[1]!.data];
      const entries = Array.from({ length: caps.length / 3 }, (_, i) => caps.slice(i * 3, i * 3 + 3));
      expect(entries).toContainEqual([9, 1, 0]); // communication security: AES-128
      expect(entries).toContainEqual([1, 1, 2]); // two inputs: the passage sensors
      await line.close();
      sim.child.kill('SIGINT');
      expect(await sim.exited).toBe(0);
      expect(sim.output()).toMatch(/stopped after 2 commands/);
    } finally {
      await stopProcess(sim.child);
      await stopProcess(socat);
    }
  });

  it('refuses bad options with exit code 2', async () => {
    const badKey = run(['turnstile', '--port', '/dev/null', '--scbk', 'zz']);
    expect(await badKey.exited).toBe(2);
    expect(badKey.output()).toContain('32 hex digits');
    const both = run(['turnstile', '--port', '/dev/null', '--scbk', '000102030405060708090A0B0C0D0E0F', '--install']);
    expect(await both.exited).toBe(2);
    const fault = run(['turnstile', '--port', '/dev/null', '--fault', 'fire']);
    expect(await fault.exited).toBe(2);
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
