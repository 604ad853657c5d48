/**
 * End to end through the real PC/SC stack: a profile card presented over vpcd appears in pcscd,
 * nfc-pcsc (the terminal's library) reads it, and taking it away is reported as 'card.off'.
 * Needs pcscd running with vsmartcard-vpcd (`npm run setup`). Override the slot with
 * RESCARD_VPCD_PORT and RESCARD_VPCD_READER (defaults: 35963, "Virtual PCD 00 00").
 */
import { existsSync } from 'node:fs';
import { NFC, type Reader } from 'nfc-pcsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTlv, findTag } from '@rescard/shared';
import { buildProfileCard, presentCard, type PresentedCard, type VirtualCard } from '../src/index.js';

const PORT = Number(process.env['RESCARD_VPCD_PORT'] ?? 35963);
const READER = process.env['RESCARD_VPCD_READER'] ?? 'Virtual PCD 00 00';
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
/** nfc-pcsc's limit must fit a PPSE answer (DESIGN.md: at least 258 bytes). */
const MAX_RESPONSE = 1024;
const WAIT_MS = 5000;

const PPSE = Buffer.from('00A404000E325041592E5359532E444446303100', 'hex');
const SELECT_MIR = Buffer.from('00A4040007A000000658101000', 'hex');
const GPO = Buffer.from(`80A80000238321${'00'.repeat(33)}00`, 'hex');

let nfc: NFC | undefined;
let reader: Reader;
let presented: PresentedCard | undefined;
/** Cards that showed up on other readers while ours was being presented (diagnostics only). */
const strayCards: string[] = [];

function within<T>(promise: Promise<T>, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const label = (): string => (typeof what === 'string' ? what : what());
    timer = setTimeout(() => reject(new Error(`${label()} did not happen within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const once = (event: 'card' | 'card.off'): Promise<void> => new Promise((resolve) => reader.once(event, () => resolve()));

async function present(card: VirtualCard): Promise<PresentedCard> {
  const cardOn = once('card');
  strayCards.length = 0;
  presented = await presentCard({ card, port: PORT });
  // A card seen on another reader instead usually means two vpcd reader entries share one
  // loaded driver (see hardware-sim/README.md); name them in the failure.
  await within(cardOn, `a card on "${READER}" after presenting on vpcd port ${PORT}`).catch((err: Error) => {
    throw new Error(`${err.message}; cards seen meanwhile on: ${strayCards.join(', ') || 'no other reader'}`);
  });
  return presented;
}

async function takeAway(): Promise<void> {
  const cardOff = once('card.off');
  await presented?.remove();
  presented = undefined;
  await within(cardOff, `'card.off' on "${READER}"`);
}

beforeAll(async () => {
  if (!existsSync(PCSCD_SOCKET)) throw new Error(`pcscd is not running (${PCSCD_SOCKET} is missing): run \`npm run setup\` or start \`pcscd\` as root`);
  const client = new NFC();
  nfc = client;
  const seen: string[] = [];
  client.on('error', () => undefined); // close() cancels the status wait and reports it as an error
  reader = await within(
    new Promise<Reader>((resolve) => {
      client.on('reader', (r) => {
        seen.push(r.name);
        r.autoProcessing = false;
        r.on('error', () => undefined);
        if (r.name === READER) resolve(r);
        else r.on('card', () => strayCards.push(r.name));
      });
    }),
    () => `reader "${READER}" in pcscd (readers seen: ${seen.join(', ') || 'none'}; is vsmartcard-vpcd installed?)`,
  );
});

afterAll(async () => {
  await presented?.remove();
  nfc?.close();
});

describe('a virtual card on vpcd', () => {
  it('appears in pcscd, answers SELECT PPSE through nfc-pcsc and leaves with card.off', async () => {
    await present(buildProfileCard('mir-debit').card);
    const response = await reader.transmit(PPSE, MAX_RESPONSE);
    expect(response.subarray(-2).toString('hex')).toBe('9000');
    const fci = decodeTlv(response.subarray(0, -2));
    expect(findTag(fci, '4F')?.value.toString('hex').toUpperCase()).toBe('A0000006581010');
    expect(findTag(fci, '50')?.value.toString('ascii')).toBe('MIR');
    await takeAway();
  });

  it('passes 61xx through unchanged: the terminal has to send GET RESPONSE itself', async () => {
    await present(buildProfileCard('fault-sw61').card);
    const first = await reader.transmit(PPSE, MAX_RESPONSE);
    expect(first[0]).toBe(0x61);
    const data = await reader.transmit(Buffer.from([0x00, 0xc0, 0x00, 0x00, first[1]!]), MAX_RESPONSE);
    expect(data.subarray(0, 2).toString('hex')).toBe('6f28');
    await takeAway();
  });

  it('a card removed mid-read fails the next command and reports card.off', async () => {
    const cardOff = once('card.off');
    await present(buildProfileCard('fault-removed-mid-read').card);
    expect((await reader.transmit(SELECT_MIR, MAX_RESPONSE)).subarray(-2).toString('hex')).toBe('9000');
    expect((await reader.transmit(GPO, MAX_RESPONSE)).subarray(-2).toString('hex')).toBe('9000');
    await presented?.removed;
    expect(presented?.reason).toBe('card-left');
    await expect(reader.transmit(Buffer.from('00B2010C00', 'hex'), MAX_RESPONSE)).rejects.toThrow();
    await within(cardOff, `'card.off' after removal mid-read`);
    presented = undefined;
  });
});
