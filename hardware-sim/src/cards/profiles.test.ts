import { describe, expect, it } from 'vitest';
import { decodeTlv, isRescardError } from '@rescard/shared';
import { luhnValid } from '../pan.js';
import { responseData, statusWord } from './apdu.js';
import { buildProfileCard, PROFILES, profileNames } from './profiles.js';
import type { VirtualCard } from './virtual-card.js';

const PPSE = '00A404000E325041592E5359532E444446303100';
const SELECT_MIR = '00A4040007A000000658101000';
const GPO_33 = `80A80000238321${'00'.repeat(33)}00`;

async function tx(card: VirtualCard, hex: string): Promise<Buffer | null> {
  return card.transmit(Buffer.from(hex, 'hex'));
}

async function sw(card: VirtualCard, hex: string): Promise<string> {
  const response = await tx(card, hex);
  return response === null ? 'silent' : statusWord(response).toString(16).toUpperCase().padStart(4, '0');
}

describe('profiles', () => {
  it('has every profile the terminal tests expect, all with Luhn-valid test PANs', () => {
    expect(profileNames()).toEqual(
      expect.arrayContaining(['mir-debit', 'mir-credit', 'mir-pay', 'visa', 'mastercard', 'fault-removed-mid-read', 'fault-sw61', 'fault-sw6c', 'fault-ppse-6a82', 'fault-malformed-tlv', 'fault-silent', 'fault-locked-6985']),
    );
    for (const definition of PROFILES.values()) expect(luhnValid(definition.emv.pan), definition.name).toBe(true);
  });

  it('rejects an unknown profile and a PAN that is not 12-19 digits', () => {
    for (const fn of [() => buildProfileCard('nope'), () => buildProfileCard('visa', { pan: '4111' })]) {
      let error: unknown;
      try {
        fn();
      } catch (err) {
        error = err;
      }
      expect(isRescardError(error, 'CONFIG_INVALID')).toBe(true);
    }
  });

  it('fault-removed-mid-read answers GPO, then is removed and silent', async () => {
    const { card } = buildProfileCard('fault-removed-mid-read');
    await tx(card, SELECT_MIR);
    expect(card.removed).toBe(false);
    expect(await sw(card, GPO_33)).toBe('9000');
    expect(card.removed).toBe(true);
    expect(await sw(card, '00B2010C00')).toBe('silent');
    card.reset?.();
    expect(card.removed).toBe(false);
  });

  it('fault-sw61 answers 61xx and delivers the data on GET RESPONSE', async () => {
    const { card, model } = buildProfileCard('fault-sw61');
    const expected = model.transmit(Buffer.from(PPSE, 'hex'));
    const first = (await tx(card, PPSE))!;
    expect(first.toString('hex')).toBe(`61${(expected.length - 2).toString(16)}`);
    const data = (await tx(card, `00C00000${first[1]!.toString(16).padStart(2, '0')}`))!;
    expect(data.equals(expected)).toBe(true);
    expect(await sw(card, '00C0000010')).toBe('6985');
  });

  it('fault-sw61 hands out long data in Le-sized pieces', async () => {
    const { card } = buildProfileCard('fault-sw61');
    await tx(card, PPSE);
    const part = (await tx(card, '00C0000004'))!;
    expect(part.length).toBe(6);
    expect(statusWord(part) >> 8).toBe(0x61);
  });

  it('fault-sw6c answers 6Cxx to READ RECORD with Le 00 and the record on the re-send', async () => {
    const { card } = buildProfileCard('fault-sw6c');
    await tx(card, SELECT_MIR);
    const first = (await tx(card, '00B2010C00'))!;
    expect(first[0]).toBe(0x6c);
    const record = (await tx(card, `00B2010C${first[1]!.toString(16).padStart(2, '0')}`))!;
    expect(statusWord(record)).toBe(0x9000);
    expect(record.length - 2).toBe(first[1]);
    expect(await sw(card, PPSE)).toBe('9000');
  });

  it('fault-ppse-6a82 refuses the PPSE but selects the Mir AID directly', async () => {
    const { card } = buildProfileCard('fault-ppse-6a82');
    expect(await sw(card, PPSE)).toBe('6A82');
    expect(await sw(card, SELECT_MIR)).toBe('9000');
  });

  it('fault-malformed-tlv serves record SFI 1 #1 as truncated TLV', async () => {
    const { card } = buildProfileCard('fault-malformed-tlv');
    await tx(card, SELECT_MIR);
    const record = (await tx(card, '00B2010C00'))!;
    expect(statusWord(record)).toBe(0x9000);
    expect(() => decodeTlv(responseData(record))).toThrow(/malformed BER-TLV/);
    const second = (await tx(card, '00B2011400'))!;
    expect(() => decodeTlv(responseData(second))).not.toThrow();
  });

  it('fault-silent never answers', async () => {
    const { card } = buildProfileCard('fault-silent');
    expect(await sw(card, PPSE)).toBe('silent');
    expect(card.atr.length).toBeGreaterThan(2);
  });

  it('fault-locked-6985 lists the applications but refuses every SELECT AID', async () => {
    const { card } = buildProfileCard('fault-locked-6985');
    expect(await sw(card, PPSE)).toBe('9000');
    expect(await sw(card, SELECT_MIR)).toBe('6985');
    expect(await sw(card, '00A4040007A000000003101000')).toBe('6985');
  });
});
