/**
 * Data Object Lists (PDOL 9F38, CDOL1 8C, ...): EMV Book 3 §5.4.
 *
 * A DOL is a series of (tag, one length byte) with no values. The terminal answers it with the
 * concatenated values, each fitted to the asked length:
 * - tag unknown to the terminal, or constructed: that many zero bytes;
 * - value longer than asked: numeric (n) truncated on the left, everything else on the right;
 * - value shorter: n padded with leading zeros, cn with trailing FF, everything else with
 *   trailing zeros.
 */
import { RescardError } from '../errors.js';
import { isConstructedTag, scanTag } from '../tlv/tag.js';

export interface DolEntry {
  /** Uppercase hex. */
  readonly tag: string;
  readonly length: number;
}

export type DolValues = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;

/**
 * Terminal-side data elements of format n (Book 3 Annex A): right-aligned BCD numbers, so
 * truncation drops leading digits and padding adds leading zeros.
 */
export const NUMERIC_TAGS: ReadonlySet<string> = new Set([
  '9F01', // acquirer identifier
  '9F02', // amount, authorised
  '9F03', // amount, other
  '9F15', // merchant category code
  '9F1A', // terminal country code
  '9F21', // transaction time HHMMSS
  '9F35', // terminal type
  '9F3C', // transaction reference currency code
  '9F3D', // transaction reference currency exponent
  '9F41', // transaction sequence counter
  '5F2A', // transaction currency code
  '5F36', // transaction currency exponent
  '5F57', // account type
  '9A', // transaction date YYMMDD
  '9C', // transaction type
]);

/** Format cn (compressed numeric): left-aligned BCD, padded with trailing F nibbles. */
export const COMPRESSED_NUMERIC_TAGS: ReadonlySet<string> = new Set(['5A', '9F20']);

function dolMalformed(reason: string, offset: number): RescardError {
  return new RescardError('DOL_MALFORMED', `malformed DOL: ${reason} at offset ${offset}`, { reason, offset });
}

export function parseDol(bytes: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const first = bytes[pos]!;
    if (first === 0x00 || first === 0xff) throw dolMalformed('padding byte where a tag should start', pos);
    const tagEnd = scanTag(bytes, pos, bytes.length);
    if (typeof tagEnd === 'string') throw dolMalformed(tagEnd, pos);
    if (tagEnd >= bytes.length) throw dolMalformed('length missing', tagEnd);
    const tag = Buffer.from(bytes.subarray(pos, tagEnd)).toString('hex').toUpperCase();
    out.push({ tag, length: bytes[tagEnd]! });
    pos = tagEnd + 1;
  }
  return out;
}

/** Total length of the data a DOL asks for. */
export function dolLength(entries: readonly DolEntry[]): number {
  return entries.reduce((sum, e) => sum + e.length, 0);
}

function toValueMap(values: DolValues): Map<string, Uint8Array> {
  const entries: Iterable<[string, Uint8Array]> = values instanceof Map ? values : Object.entries(values);
  const map = new Map<string, Uint8Array>();
  for (const [tag, value] of entries) map.set(tag.toUpperCase(), value);
  return map;
}

/** Fit one value to `length` bytes per Book 3 §5.4, writing into `out` at `offset`. */
function fitInto(out: Buffer, offset: number, tag: string, value: Uint8Array, length: number): void {
  if (NUMERIC_TAGS.has(tag)) {
    const kept = value.subarray(Math.max(0, value.length - length));
    out.set(kept, offset + length - kept.length);
    return;
  }
  const kept = value.subarray(0, length);
  out.set(kept, offset);
  if (COMPRESSED_NUMERIC_TAGS.has(tag)) out.fill(0xff, offset + kept.length, offset + length);
}

/** The DOL-related data: each entry's value fitted to its length, concatenated. */
export function buildDol(entries: readonly DolEntry[], values: DolValues): Buffer {
  const map = toValueMap(values);
  const out = Buffer.alloc(dolLength(entries));
  let offset = 0;
  for (const { tag, length } of entries) {
    const key = tag.toUpperCase();
    const value = map.get(key);
    if (value !== undefined && !isConstructedTag(key)) fitInto(out, offset, key, value, length);
    offset += length;
  }
  return out;
}
