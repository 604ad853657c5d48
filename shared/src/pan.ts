/**
 * PAN, track 2 and expiry helpers (EMV Book 3 Annex A: 5A is cn, 57 is b, 5F24 is n6 YYMMDD).
 *
 * The PAN is the most sensitive value in the system: these functions never put PAN digits into
 * an error message or its details (only lengths and positions), so a thrown error can be logged.
 *
 * Luhn: a failed check digit is NOT a reject. Real fixtures (masked test cards) fail Luhn and
 * a card's PAN is whatever its issuer wrote. Callers get `luhnValid` to flag such a card.
 */
import { RescardError } from './errors.js';
import { toHex } from './hex.js';

export const PAN_MIN_DIGITS = 12;
export const PAN_MAX_DIGITS = 19;

export interface Track2 {
  readonly pan: string;
  /** Expiry as on the card: YYMM. */
  readonly expiryYymm: string;
  /** Three-digit service code (e.g. 201: international, IC, normal authorisation). */
  readonly serviceCode: string | null;
}

/** Strip spaces and dashes; throws PAN_INVALID unless 12-19 decimal digits remain. */
export function normalisePan(input: string): string {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^[0-9]+$/.test(digits) || digits.length < PAN_MIN_DIGITS || digits.length > PAN_MAX_DIGITS) {
    throw new RescardError(
      'PAN_INVALID',
      `PAN must be ${PAN_MIN_DIGITS} to ${PAN_MAX_DIGITS} decimal digits (got ${digits.length} characters)`,
      { length: digits.length },
    );
  }
  return digits;
}

/** Luhn (ISO/IEC 7812-1) check. Spaces and dashes are ignored; anything else non-decimal is false. */
export function luhnValid(pan: string): boolean {
  const digits = pan.replace(/[\s-]/g, '');
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** First 6 and last 4 digits kept, the middle as `*`, same length: `220000******0004`. */
export function maskPan(pan: string): string {
  const digits = normalisePan(pan);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

function firstNonDecimal(nibbles: string): number {
  return nibbles.search(/[^0-9]/);
}

/** PAN from tag 5A (cn: BCD digits, padded on the right with F nibbles). */
export function panFromBcd(bytes: Uint8Array): string {
  const digits = toHex(bytes).replace(/F+$/, '');
  const bad = firstNonDecimal(digits);
  if (bad >= 0) {
    throw new RescardError('PAN_INVALID', `PAN (5A) has a non-decimal nibble at position ${bad}`, { nibble: bad });
  }
  return normalisePan(digits);
}

/**
 * Track 2 equivalent data (tag 57): PAN, separator D, YYMM, service code, discretionary data,
 * padded with one F to whole bytes. The discretionary data is neither returned nor checked.
 */
export function parseTrack2(bytes: Uint8Array): Track2 {
  const nibbles = toHex(bytes).replace(/F+$/, '');
  const sep = nibbles.indexOf('D');
  if (sep < 0) throw new RescardError('TRACK2_MALFORMED', 'track 2 has no D separator', { nibbles: nibbles.length });
  const panPart = nibbles.slice(0, sep);
  const bad = firstNonDecimal(panPart);
  if (bad >= 0) {
    throw new RescardError('PAN_INVALID', `PAN (57) has a non-decimal nibble at position ${bad}`, { nibble: bad });
  }
  const pan = normalisePan(panPart);
  const rest = nibbles.slice(sep + 1);
  if (!/^[0-9]{4}/.test(rest)) {
    throw new RescardError('TRACK2_MALFORMED', 'track 2 lacks a decimal YYMM expiry after the separator', {
      separatorAt: sep,
    });
  }
  const expiryYymm = rest.slice(0, 4);
  checkMonth(expiryYymm.slice(2, 4), '57');
  // Some issuers (and masked test data) fill the service code with F; it is not needed for a
  // token, so a non-decimal one is reported as null rather than failing the read.
  const serviceCode = /^[0-9]{3}$/.test(rest.slice(4, 7)) ? rest.slice(4, 7) : null;
  return { pan, expiryYymm, serviceCode };
}

function checkMonth(mm: string, source: string): void {
  const month = Number(mm);
  if (!/^[0-9]{2}$/.test(mm) || month < 1 || month > 12) {
    throw new RescardError('EXPIRY_INVALID', `expiry month from ${source} is not 01-12`, { source });
  }
}

/** `YYMM` → `YYYY-MM`; years are 20YY (EMV cards issued this century). */
export function expiryFromYymm(yymm: string): string {
  if (!/^[0-9]{4}$/.test(yymm)) {
    throw new RescardError('EXPIRY_INVALID', 'expiry is not four decimal digits YYMM', { length: yymm.length });
  }
  checkMonth(yymm.slice(2, 4), 'YYMM');
  return `20${yymm.slice(0, 2)}-${yymm.slice(2, 4)}`;
}

/** Tag 5F24 (n6 YYMMDD, BCD) → `YYYY-MM`. The day (usually the month's last) is checked as BCD only. */
export function expiryFrom5F24(bytes: Uint8Array): string {
  const hex = toHex(bytes);
  if (bytes.length !== 3 || !/^[0-9]{6}$/.test(hex)) {
    throw new RescardError('EXPIRY_INVALID', 'expiry (5F24) is not 3 bytes of BCD YYMMDD', { sizeBytes: bytes.length });
  }
  checkMonth(hex.slice(2, 4), '5F24');
  return `20${hex.slice(0, 2)}-${hex.slice(2, 4)}`;
}
