/**
 * Terminal data for a contactless card read: the values a PDOL (or CDOL) may ask for. Pure: the
 * clock and the random source are passed in. Feed the result to `buildDol`; tags the card asks
 * for that are not here are filled with zeros there (Book 3 §5.4).
 *
 * We read identity data only: amount 0, no CVM, no online authorisation is ever sent.
 */
import { randomBytes } from 'node:crypto';
import { RescardError } from '../errors.js';

/**
 * Terminal Transaction Qualifiers 9F66 (EMV Book C-3 / Visa VCPS), value 36 00 40 00:
 * - byte 1 = 0x36: b6 EMV mode (qVSDC) supported, b5 EMV contact chip supported, b3 online PIN
 *   supported, b2 signature supported. b8 (magstripe mode) is off: it yields no EMV records.
 *   b4 (offline-only reader) is off: some cards then refuse or decline before the records.
 *   Claiming online PIN and signature is harmless here: with amount 0 and b7 of byte 2 clear
 *   no CVM is performed, and this is the value common readers send, so cards accept it.
 * - byte 2 = 0x00: online cryptogram not required, CVM not required.
 * - byte 3 = 0x40: b7 consumer device CVM supported (phones: Mir Pay) so phone taps proceed.
 * - byte 4 = 0x00: RFU.
 */
export const CONTACTLESS_READ_TTQ_HEX = '36004000';

/** Russia (ISO 3166-1 / ISO 4217 numeric 643), as n3 in two BCD bytes. */
export const COUNTRY_CODE_RU = '0643';
export const CURRENCY_CODE_RUB = '0643';

export interface TerminalDataInput {
  /** The transaction moment, from the caller's clock (trusted time). */
  readonly now: Date;
  /** 4 bytes for 9F37; take them from `newUnpredictableNumber()`. */
  readonly unpredictable: Uint8Array;
  /** Offset of local time from UTC for 9A/9F21 (e.g. 180 for Moscow). Default 0 (UTC). */
  readonly utcOffsetMinutes?: number;
  /** 9F4E merchant name and location (ASCII). Default "RESCARD". */
  readonly merchantName?: string;
}

/** A fresh unpredictable number (9F37) from the OS CSPRNG. Not pure: call it outside core. */
export function newUnpredictableNumber(): Buffer {
  return randomBytes(4);
}

function bcd(value: number, digits: number): Buffer {
  return Buffer.from(String(value).padStart(digits, '0'), 'hex');
}

function invalid(message: string): RescardError {
  return new RescardError('CONFIG_INVALID', `terminal data: ${message}`);
}

export function contactlessTerminalData(input: TerminalDataInput): Map<string, Buffer> {
  const { now, unpredictable, utcOffsetMinutes = 0, merchantName = 'RESCARD' } = input;
  if (Number.isNaN(now.getTime())) throw invalid('now is not a valid date');
  if (unpredictable.length !== 4) throw invalid('the unpredictable number must be 4 bytes');
  if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
    throw invalid('utcOffsetMinutes must be a whole number of minutes within ±14 h');
  }
  if (!/^[\x20-\x7e]*$/.test(merchantName)) throw invalid('merchantName must be printable ASCII');
  const local = new Date(now.getTime() + utcOffsetMinutes * 60_000);
  const yymmdd = (local.getUTCFullYear() % 100) * 10000 + (local.getUTCMonth() + 1) * 100 + local.getUTCDate();
  const hhmmss = local.getUTCHours() * 10000 + local.getUTCMinutes() * 100 + local.getUTCSeconds();
  return new Map<string, Buffer>([
    ['9F66', Buffer.from(CONTACTLESS_READ_TTQ_HEX, 'hex')],
    ['9F02', Buffer.alloc(6)], // amount, authorised: n12 = 0
    ['9F03', Buffer.alloc(6)], // amount, other: n12 = 0
    ['9F1A', Buffer.from(COUNTRY_CODE_RU, 'hex')],
    ['5F2A', Buffer.from(CURRENCY_CODE_RUB, 'hex')],
    ['5F36', Buffer.from([0x02])], // currency exponent: kopecks
    ['9A', bcd(yymmdd, 6)], // transaction date YYMMDD
    ['9F21', bcd(hhmmss, 6)], // transaction time HHMMSS
    ['9C', Buffer.from([0x00])], // transaction type: purchase of goods/services
    ['9F37', Buffer.from(unpredictable)],
    // Terminal type 22: merchant-operated, attended, offline with online capability (as agreed;
    // 25 would be the unattended equivalent). Override in the returned Map if a scheme wants it.
    ['9F35', Buffer.from([0x22])],
    // Terminal capabilities (Book 4 A2): no contact/magstripe/manual input; CVM "No CVM
    // required" (byte 2 b4); no offline data authentication.
    ['9F33', Buffer.from('000800', 'hex')],
    // Additional terminal capabilities (Book 4 A3): goods + services; no keys; display for the
    // cardholder (byte 4 b5); code tables 1 and 5 (ISO 8859-1 and -5, Cyrillic).
    ['9F40', Buffer.from('6000001011', 'hex')],
    ['95', Buffer.alloc(5)], // TVR: nothing flagged
    ['9F4E', Buffer.from(merchantName, 'latin1')],
  ]);
}
