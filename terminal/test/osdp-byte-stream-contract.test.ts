/**
 * ByteStream contract, run against the in-memory FakeByteStream pair and against SerialByteStream
 * on both ends of a socat pseudo-terminal pair: bytes arrive complete and in order, both ways,
 * in chunks of any size; unsubscribing stops delivery. socat comes from Debian (scripts/setup.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialByteStream } from '../src/adapters/osdp/index.js';
import { FakeByteStream, type ByteStream } from '../src/ports/byte-stream.js';

interface Pair {
  readonly a: ByteStream;
  readonly b: ByteStream;
  close(): Promise<void>;
}

function collect(stream: ByteStream): { bytes: () => Buffer; stop: () => void } {
  const chunks: Buffer[] = [];
  const stop = stream.onData((chunk) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks), stop };
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const processes: ChildProcess[] = [];

async function serialPair(): Promise<Pair> {
  const [pa, pb] = [`/tmp/rescard-bs-${process.pid}-a`, `/tmp/rescard-bs-${process.pid}-b`];
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${pa}`, `pty,raw,echo=0,link=${pb}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  processes.push(socat);
  let log = '';
  socat.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await until(() => log.includes('starting data transfer loop') && existsSync(pa) && existsSync(pb));
  const [a, b] = await Promise.all([SerialByteStream.open({ path: pa }), SerialByteStream.open({ path: pb })]);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

const implementations: [string, () => Promise<Pair>][] = [
  ['FakeByteStream', () => {
    const [a, b] = FakeByteStream.pair();
    return Promise.resolve({ a, b, close: async () => void (await Promise.all([a.close(), b.close()])) });
  }],
  ['SerialByteStream over a pty', serialPair],
];

afterAll(async () => {
  await Promise.all(processes.map((p) => new Promise((resolve) => (p.exitCode !== null ? resolve(null) : (p.once('close', resolve), p.kill())))));
});

describe.each(implementations)('ByteStream contract: %s', (_name, openPair) => {
  it('delivers every byte, in order, both ways; unsubscribe stops delivery', async () => {
    const pair = await openPair();
    const { a, b } = pair;
    try {
      const atB = collect(b);
      const atA = collect(a);
      const big = Buffer.from(Array.from({ length: 1500 }, (_, i) => i & 0xff));
      await a.write(Buffer.from('5300', 'hex'));
      await a.write(big);
      await b.write(Buffer.from('538008000540689F', 'hex'));
      await until(() => atB.bytes().length === 1502 && atA.bytes().length === 8);
      expect(atB.bytes()).toEqual(Buffer.concat([Buffer.from('5300', 'hex'), big]));
      expect(atA.bytes().toString('hex')).toBe('538008000540689f');
      atB.stop();
      await a.write(Buffer.from([1, 2, 3]));
      await new Promise((r) => setTimeout(r, 50));
      expect(atB.bytes().length).toBe(1502);
    } finally {
      await pair.close();
    }
  });
});
