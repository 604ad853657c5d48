import { describe, expect, it } from 'vitest';
import { decodeTlv, findTag, type Tlv } from '@rescard/shared';
import { responseData, statusWord } from './apdu.js';
import { track2 } from './emv-card-data.js';
import { EmvCardModel } from './emv-card-model.js';
import { buildProfileCard, PROFILES } from './profiles.js';

const PPSE = '00A404000E325041592E5359532E444446303100';
const SELECT_MIR = '00A4040007A000000658101000';
const gpo = (pdolBytes: number): string =>
  `80A80000${(pdolBytes + 2).toString(16).padStart(2, '0')}83${pdolBytes.toString(16).padStart(2, '0')}${'00'.repeat(pdolBytes)}00`;

function model(name: string, pan?: string): { card: EmvCardModel; tx: (hex: string) => Buffer } {
  const card = buildProfileCard(name, pan === undefined ? {} : { pan }).model;
  return { card, tx: (hex) => card.transmit(Buffer.from(hex, 'hex')) };
}

function tlv(response: Buffer): Tlv[] {
  expect(statusWord(response).toString(16)).toBe('9000');
  return decodeTlv(responseData(response));
}

const hex = (node: Tlv | undefined): string | undefined => node?.value.toString('hex').toUpperCase();

describe('EmvCardModel', () => {
  it('answers SELECT PPSE with an FCI listing every application', () => {
    const { tx } = model('mir-unionpay');
    const fci = tlv(tx(PPSE));
    expect(hex(findTag(fci, '84'))).toBe(Buffer.from('2PAY.SYS.DDF01').toString('hex').toUpperCase());
    const entries = findTag(fci, 'BF0C')?.children ?? [];
    expect(entries.map((e) => [hex(findTag([e], '4F')), findTag([e], '50')?.value.toString(), hex(findTag([e], '87'))])).toEqual([
      ['A000000333010101', 'UNIONPAY', '01'],
      ['A0000006581010', 'MIR', '02'],
    ]);
  });

  it('answers SELECT AID with label, priority and PDOL; full and partial (RID) names', () => {
    const { tx } = model('mir-debit');
    const fci = tlv(tx(SELECT_MIR));
    expect(hex(findTag(fci, '84'))).toBe('A0000006581010');
    expect(hex(findTag(fci, '9F38'))).toBe('9F66049F02069F03069F1A0295055F2A029A039C019F3704');
    expect(statusWord(tx('00A4040005A00000065800'))).toBe(0x9000);
    expect(statusWord(tx('00A4040007A000000003101000'))).toBe(0x6a82);
  });

  it('checks the PDOL data length in GPO: 6700 when wrong, 6985 before any SELECT', () => {
    const { tx } = model('mir-debit');
    expect(statusWord(tx(gpo(33)))).toBe(0x6985);
    tx(SELECT_MIR);
    expect(statusWord(tx(gpo(32)))).toBe(0x6700);
    expect(statusWord(tx(gpo(0)))).toBe(0x6700);
    const response = tlv(tx(gpo(33)));
    expect(response[0]?.tag).toBe('77');
    expect(hex(findTag(response, '82'))).toBe('1980');
    expect(hex(findTag(response, '94'))).toBe('0801010010010100');
  });

  it('answers GPO format 1 (tag 80: AIP | AFL) for mir-credit and 83 00 for the empty Mastercard PDOL', () => {
    const credit = model('mir-credit');
    credit.tx(SELECT_MIR);
    expect(hex(findTag(tlv(credit.tx(gpo(33))), '80'))).toBe('19800801010010010100');
    const mc = model('mastercard');
    mc.tx('00A4040007A000000004101000');
    expect(statusWord(mc.tx(gpo(33)))).toBe(0x6700);
    expect(findTag(tlv(mc.tx('80A8000002830000')), '94')).toBeDefined();
  });

  it('serves PAN, expiry, PSN and PAR in the records named by the AFL', () => {
    const { tx } = model('mir-debit');
    tx(SELECT_MIR);
    tx(gpo(33));
    const first = tlv(tx('00B2010C00'));
    expect(first[0]?.tag).toBe('70');
    expect(hex(findTag(first, '57'))).toBe('2200000000000004D30122010000000000');
    expect(findTag(first, '9F24')?.value.toString()).toBe('M0010000000000000000000000001');
    const second = tlv(tx('00B2011400'));
    expect(hex(findTag(second, '5A'))).toBe('2200000000000004');
    expect(hex(findTag(second, '5F24'))).toBe('301231');
    expect(hex(findTag(second, '5F34'))).toBe('00');
    expect(statusWord(tx('00B2021400'))).toBe(0x6a83);
  });

  it('puts PAN and track 2 in the Visa GPO response (qVSDC)', () => {
    const { tx } = model('visa');
    tx('00A4040007A000000003101000');
    const response = tlv(tx(gpo(33)));
    expect(hex(findTag(response, '57'))?.startsWith('4111111111111111D3012')).toBe(true);
    expect(hex(findTag(response, '5F34'))).toBe('01');
  });

  it('uses the --pan override everywhere and pads odd-length PANs with F', () => {
    const { card, tx } = model('mir-credit', '2202000000000000018');
    expect(card.pan).toBe('2202000000000000018');
    tx(SELECT_MIR);
    expect(hex(findTag(tlv(tx('00B2010C00')), '57'))).toBe(track2('2202000000000000018', '301231').toString('hex').toUpperCase());
    expect(hex(findTag(tlv(tx('00B2011400')), '5A'))).toBe('2202000000000000018F');
  });

  it('gives mir-pay its own PAN and the same PAR as mir-debit', () => {
    const pay = PROFILES.get('mir-pay')!.emv;
    const debit = PROFILES.get('mir-debit')!.emv;
    expect(pay.pan).not.toBe(debit.pan);
    expect(pay.par).toBe(debit.par);
  });

  it('answers GET DATA ATC, 6A88 for unknown data and 6D00 for unknown instructions', () => {
    const { tx } = model('mir-debit');
    expect(hex(findTag(tlv(tx('80CA9F3600')), '9F36'))).toMatch(/^[0-9A-F]{4}$/);
    expect(statusWord(tx('80CA9F1700'))).toBe(0x6a88);
    expect(statusWord(tx('80AE800000'))).toBe(0x6d00);
    expect(statusWord(tx('00A4'))).toBe(0x6700);
  });
});
