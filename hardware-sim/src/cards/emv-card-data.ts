/**
 * Building blocks of the EMV card model: data elements derived from the profile, FCI
 * templates (EMV Book 1, 11.3.4 and Book B for the PPSE), DOL lengths and the AFL.
 */
import { encodeTlv, type TlvInput } from '@rescard/shared';
import type { EmvApplication, EmvProfile, EmvRecord } from './emv-profile.js';

/** The proximity payment system environment name (EMV Book B, 3.3). */
export const PPSE_NAME = Buffer.from('2PAY.SYS.DDF01', 'ascii');

/** BCD digits, padded with F to whole bytes (5A, 57). */
export function bcd(digits: string): Buffer {
  const even = digits.length % 2 === 0 ? digits : `${digits}F`;
  return Buffer.from(even, 'hex');
}

/** Track 2 equivalent data (57): PAN D YYMM service-code discretionary-data, F-padded. */
export function track2(pan: string, expiryYymmdd: string, serviceCode = '201'): Buffer {
  return bcd(`${pan}D${expiryYymmdd.slice(0, 4)}${serviceCode}0000000000`);
}

/** Every data element the card can put in a record or response, tag -> value. */
export function dataElements(profile: EmvProfile, app: EmvApplication): Map<string, Buffer> {
  const elements = new Map<string, Buffer>();
  for (const [tag, hex] of Object.entries(app.data ?? {})) elements.set(tag.toUpperCase(), Buffer.from(hex, 'hex'));
  elements.set('57', track2(profile.pan, profile.expiry));
  elements.set('5A', bcd(profile.pan));
  elements.set('5F24', Buffer.from(profile.expiry, 'hex'));
  elements.set('5F34', bcd(String(profile.psn % 100).padStart(2, '0')));
  if (profile.par !== undefined) elements.set('9F24', Buffer.from(profile.par, 'ascii'));
  elements.set('50', Buffer.from(app.label, 'ascii'));
  elements.set('87', Buffer.from([app.priority]));
  return elements;
}

/** TLV inputs for these tags; a tag the card does not have is a profile bug and throws. */
export function tlvsFor(tags: readonly string[], elements: ReadonlyMap<string, Buffer>): TlvInput[] {
  return tags.map((tag) => {
    const value = elements.get(tag.toUpperCase());
    if (value === undefined) throw new Error(`profile has no value for tag ${tag}`);
    return { tag: tag.toUpperCase(), value };
  });
}

/** SELECT PPSE answer: 6F { 84 name, A5 { BF0C { 61 { 4F AID, 50 label, 87 priority } ... } } }. */
export function ppseFci(apps: readonly EmvApplication[]): Buffer {
  const entries: TlvInput[] = apps.map((app) => ({
    tag: '61',
    children: [
      { tag: '4F', value: Buffer.from(app.aid, 'hex') },
      { tag: '50', value: Buffer.from(app.label, 'ascii') },
      { tag: '87', value: Buffer.from([app.priority]) },
    ],
  }));
  return encodeTlv([{ tag: '6F', children: [{ tag: '84', value: PPSE_NAME }, { tag: 'A5', children: [{ tag: 'BF0C', children: entries }] }] }]);
}

/** SELECT AID answer: 6F { 84 AID, A5 { 50 label, 87 priority, 9F38 PDOL (if any) } }. */
export function applicationFci(app: EmvApplication): Buffer {
  const proprietary: TlvInput[] = [
    { tag: '50', value: Buffer.from(app.label, 'ascii') },
    { tag: '87', value: Buffer.from([app.priority]) },
  ];
  if (app.pdol !== '') proprietary.push({ tag: '9F38', value: Buffer.from(app.pdol, 'hex') });
  return encodeTlv([{ tag: '6F', children: [{ tag: '84', value: Buffer.from(app.aid, 'hex') }, { tag: 'A5', children: proprietary }] }]);
}

/** Sum of the lengths in a data object list (tag, length pairs; EMV Book 3, 5.4). */
export function dolLength(dol: Uint8Array): number {
  let total = 0;
  let pos = 0;
  while (pos < dol.length) {
    const first = dol[pos]!;
    pos += 1;
    if ((first & 0x1f) === 0x1f) {
      while (pos < dol.length && (dol[pos]! & 0x80) !== 0) pos += 1;
      pos += 1;
    }
    if (pos >= dol.length) throw new Error('DOL truncated');
    total += dol[pos]!;
    pos += 1;
  }
  return total;
}

/**
 * AFL from the records (EMV Book 3, 10.2): one 4-byte entry per run of consecutive records in
 * an SFI: SFI<<3, first, last, 0 records for offline data authentication.
 */
export function deriveAfl(records: readonly EmvRecord[]): Buffer {
  const sorted = [...records].sort((a, b) => a.sfi - b.sfi || a.record - b.record);
  const entries: number[][] = [];
  for (const { sfi, record } of sorted) {
    const last = entries[entries.length - 1];
    if (last && last[0] === sfi << 3 && last[2] === record - 1) last[2] = record;
    else entries.push([sfi << 3, record, record, 0]);
  }
  return Buffer.from(entries.flat());
}
