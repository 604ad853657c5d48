/**
 * bench:read — the card path through the real PC/SC stack.
 *
 *  1. Card read: from nfc-pcsc's 'card' event (pcscd has powered the card) to CardRead (PAN
 *     tokenised), with the terminal's read (transport rules, EMV flow, tokenisation) over
 *     nfc-pcsc; baseline: a bare nfc-pcsc loop sending the same command APDUs (recorded from
 *     our read) with no parsing. Taps alternate in blocks so
 *     both see the same machine load. vpcd adds ~40 ms per APDU (DESIGN.md), so the figure to
 *     read is the ratio, not the milliseconds.
 *  2. TLV decoding throughput, pure: records of the Mir model card decoded in a loop; baseline a
 *     loop that only reads every byte of the same buffers.
 * Prints readable lines, then one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, decodeTlv } from '@rescard/shared';
import { buildProfileCard, emvFixturePath, presentCard, readTranscriptFile } from '@rescard/hardware-sim';
import { readCardSession, type CardSession } from '@rescard/terminal';
import { NFC, type Reader } from 'nfc-pcsc';
import { pino } from 'pino';
import { median, percentile, round } from './bench-stats.js';

const TAPS_PER_BLOCK = 5;
const BLOCKS = Number(process.env['BENCH_READ_BLOCKS'] ?? 4);
const VPCD_PORT = 35963;
const SETTLE_MS = 700; // pcscd polls vpcd about every 400 ms: let it see each removal
const log = pino({ level: 'silent' });
const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
const failures: string[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const TAP_TIMEOUT_MS = 10_000;

async function tapWith(handle: (done: Promise<void>) => Promise<void>): Promise<void> {
  const { card } = buildProfileCard('mir-debit');
  const presented = await presentCard({ card, port: VPCD_PORT, holdMs: 10_000 });
  // A tap the reader never reported is counted as failed, not waited for forever.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    handle(presented.removed),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        failures.push('no card event within 10 s');
        resolve();
      }, TAP_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  await presented.remove();
  await sleep(SETTLE_MS);
}

/**
 * One nfc-pcsc context for the whole run (opening and closing PC/SC contexts per block slows
 * pcscd down over time). Each card is handled by the mode of its block: "ours" runs the
 * terminal's read (transport rules, EMV flow, tokenisation) over the reader; "bare" sends the
 * APDUs our read sent, with no parsing.
 */
type Mode = { kind: 'ours'; samples: number[]; commands: Buffer[][] } | { kind: 'bare'; samples: number[]; script: Buffer[] };

function openReaders(onCard: (reader: Reader) => Promise<void>): NFC {
  const nfc = new NFC();
  nfc.on('error', () => undefined);
  nfc.on('reader', (reader: Reader) => {
    reader.autoProcessing = false;
    reader.on('error', () => undefined);
    reader.on('card', () => void onCard(reader));
  });
  return nfc;
}

async function runBlock(setMode: (m: Mode) => void, mode: Mode, done: { resolve: () => void }): Promise<void> {
  setMode(mode);
  for (let i = 0; i < TAPS_PER_BLOCK; i += 1) {
    await tapWith(() => new Promise<void>((r) => (done.resolve = r)));
  }
}

async function handleCard(reader: Reader, mode: Mode): Promise<void> {
  const t0 = performance.now();
  try {
    if (mode.kind === 'bare') {
      for (const command of mode.script) await reader.transmit(command, 4096);
      mode.samples.push(performance.now() - t0);
      return;
    }
    const sent: Buffer[] = [];
    const session: CardSession = {
      readerName: reader.name,
      atr: Buffer.alloc(0),
      removed: false,
      transmit: (c) => (sent.push(Buffer.from(c)), reader.transmit(c, 4096)),
    };
    await readCardSession(session, { keyring, readTimeoutMs: 5000, now: () => new Date(), monoMs: () => performance.now(), random: randomBytes, log });
    mode.samples.push(performance.now() - t0);
    mode.commands.push(sent);
  } catch (err) {
    failures.push((err as Error).message);
  }
}

async function tlvThroughput(): Promise<{ oursMBps: number; baselineMBps: number; objectsPerSec: number }> {
  // Every response of a real card's transcript (girocard, 23 exchanges) that is valid TLV.
  const transcript = await readTranscriptFile(emvFixturePath('girocard-volksbank-de.apdu'));
  const inputs = transcript.exchanges
    .map((e) => e.response.subarray(0, e.response.length - 2))
    .filter((b) => {
      try {
        return b.length > 0 && decodeTlv(b).length > 0;
      } catch {
        return false;
      }
    });
  const bytes = inputs.reduce((n, b) => n + b.length, 0);
  const rounds = 200_000;
  const runs = (fn: () => void): number[] =>
    Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    });
  let objects = 0;
  let sink = 0;
  const ours = runs(() => {
    for (let i = 0; i < rounds; i += 1) for (const b of inputs) objects += decodeTlv(b).length;
  });
  const base = runs(() => {
    for (let i = 0; i < rounds; i += 1) for (const b of inputs) for (let j = 0; j < b.length; j += 1) sink ^= b[j]!;
  });
  if (sink === -1) console.log(sink);
  const mb = (bytes * rounds) / 1e6;
  return {
    oursMBps: round(mb / (median(ours) / 1000)),
    baselineMBps: round(mb / (median(base) / 1000)),
    objectsPerSec: Math.round(objects / 5 / (median(ours) / 1000)),
  };
}

async function main(): Promise<void> {
  const ours: number[] = [];
  const bare: number[] = [];
  const commands: Buffer[][] = [];
  let mode: Mode = { kind: 'ours', samples: ours, commands };
  const done = { resolve: (): void => undefined };
  const nfc = openReaders(async (reader) => {
    await handleCard(reader, mode);
    done.resolve();
  });
  console.log(`bench:read — ${BLOCKS} blocks × ${TAPS_PER_BLOCK} taps each way, mir-debit model card on vpcd ${VPCD_PORT}`);
  for (let b = 0; b < BLOCKS; b += 1) {
    await runBlock((m) => (mode = m), { kind: 'ours', samples: ours, commands }, done);
    await runBlock((m) => (mode = m), { kind: 'bare', samples: bare, script: commands.at(-1) ?? [] }, done);
    console.log(`  block ${b + 1}: ours median ${round(median(ours))} ms, bare median ${round(median(bare))} ms`);
  }
  nfc.close();
  const apdus = commands[0]?.length ?? 0;
  const tlv = await tlvThroughput();
  const result = {
    bench: 'read',
    taps: ours.length,
    apdusPerRead: apdus,
    readMs: { p50: round(median(ours)), p95: round(percentile(ours, 95)) },
    baselineBareNfcPcscMs: { p50: round(median(bare)), p95: round(percentile(bare, 95)) },
    failedTaps: failures.length,
    ratioP50: round(median(ours) / median(bare), 3),
    tlvDecode: { mbPerSec: tlv.oursMBps, objectsPerSec: tlv.objectsPerSec, baselineByteScanMBps: tlv.baselineMBps, ratio: round(tlv.oursMBps / tlv.baselineMBps, 3) },
  };
  console.log(`card read: p50 ${result.readMs.p50} ms vs bare nfc-pcsc ${result.baselineBareNfcPcscMs.p50} ms (${apdus} APDUs) → ratio ${result.ratioP50}`);
  console.log(`TLV decode: ${tlv.oursMBps} MB/s, ${tlv.objectsPerSec} objects/s (byte-scan baseline ${tlv.baselineMBps} MB/s)`);
  console.log(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
