/**
 * Demo part 1: card reads through the real PC/SC stack. Virtual cards (modelled Mir, Mir Pay,
 * Visa, Mastercard, transport faults, a replayed real card) are presented on vpcd one after
 * another; the terminal's PcscCardReader reads each and prints what a technician sees.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RescardError, type TokenKeyring } from '@rescard/shared';
import { ReplayCard, buildProfileCard, emvFixturePath, presentCard, readTranscriptFile, type VirtualCard } from '@rescard/hardware-sim';
import { PcscCardReader, readCardSession, type CardRead } from '@rescard/terminal';
import type { Logger } from 'pino';

const SETTLE_MS = 700;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function demoReads(keyring: TokenKeyring, log: Logger, port: number): Promise<void> {
  const cards: [string, () => Promise<VirtualCard>][] = [
    ['Mir debit card', () => Promise.resolve(buildProfileCard('mir-debit').card)],
    ['Mir Pay phone (PAR)', () => Promise.resolve(buildProfileCard('mir-pay').card)],
    ['Visa', () => Promise.resolve(buildProfileCard('visa').card)],
    ['Mastercard', () => Promise.resolve(buildProfileCard('mastercard').card)],
    ['Mir, answers 61xx', () => Promise.resolve(buildProfileCard('fault-sw61').card)],
    ['Mir, no PPSE (6A82)', () => Promise.resolve(buildProfileCard('fault-ppse-6a82').card)],
    ['real Mastercard (replayed)', async () => new ReplayCard(await readTranscriptFile(emvFixturePath('mc-debit-aab-de.apdu')))],
    ['Mir, taken away mid-read', () => Promise.resolve(buildProfileCard('fault-removed-mid-read').card)],
  ];
  const reader = new PcscCardReader({ log });
  let done: (line: string) => void = () => undefined;
  await reader.start(async (session) => {
    try {
      const read: CardRead = await readCardSession(session, {
        keyring,
        readTimeoutMs: 3000,
        now: () => new Date(),
        monoMs: () => performance.now(),
        random: randomBytes,
        log,
      });
      done(`${read.scheme.padEnd(10)} ${read.panMasked.padEnd(19)} token ${read.token.slice(0, 12)}…${read.parToken ? ' +PAR' : '     '}  ${read.readMs} ms`);
    } catch (err) {
      done(err instanceof RescardError ? `error ${err.code}: ${err.message}` : String(err));
    }
  });
  console.log('\n== 1. Card reads through pcscd + vpcd (nfc-pcsc) ==');
  for (const [name, make] of cards) {
    const line = new Promise<string>((r) => (done = r));
    const presented = await presentCard({ card: await make(), port, holdMs: 5000 });
    console.log(`  ${name.padEnd(28)} ${await line}`);
    await presented.remove();
    await sleep(SETTLE_MS);
  }
  await reader.stop();
}
