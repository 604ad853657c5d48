/**
 * BER-TLV as used by EMV (EMV Book 3, Annex B; ISO/IEC 8825-1 subset).
 *
 * - Tags: one byte, or more when the low five bits of the first byte are all set (1F); each
 *   following byte has bit 8 set while more follow. Tags are kept as uppercase hex ("9F38").
 * - Lengths: short form (0x00-0x7F) or long form 0x81-0x84 followed by 1-4 length bytes.
 *   0x80 (indefinite) is not allowed in EMV and is rejected.
 * - Constructed objects (bit 6 of the first tag byte) are decoded recursively.
 * - 0x00 and 0xFF bytes before, between and after objects are padding (Annex B1) and skipped.
 * - Anything truncated or inconsistent throws RescardError('TLV_MALFORMED'); nothing else is
 *   thrown, whatever the input (the fuzz test holds us to that).
 */
import { RescardError } from '../errors.js';

export interface Tlv {
  readonly tag: string;
  readonly constructed: boolean;
  readonly value: Buffer;
  /** Present for constructed objects. */
  readonly children?: readonly Tlv[];
}

export type TlvInput =
  | { readonly tag: string; readonly value: Uint8Array }
  | { readonly tag: string; readonly children: readonly TlvInput[] };

/** Deeper nesting than this is not EMV and is treated as malformed (bounds recursion). */
export const TLV_MAX_DEPTH = 16;

function malformed(reason: string, offset: number): RescardError {
  return new RescardError('TLV_MALFORMED', `malformed BER-TLV: ${reason} at offset ${offset}`, { reason, offset });
}

export function decodeTlv(data: Uint8Array): Tlv[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return decodeRange(buf, 0, buf.length, 0);
}

function decodeRange(buf: Buffer, start: number, end: number, depth: number): Tlv[] {
  if (depth > TLV_MAX_DEPTH) throw malformed('nesting too deep', start);
  const out: Tlv[] = [];
  let pos = start;
  while (pos < end) {
    const first = buf[pos]!;
    if (first === 0x00 || first === 0xff) {
      pos += 1;
      continue;
    }
    const tagStart = pos;
    pos += 1;
    if ((first & 0x1f) === 0x1f) {
      let more = true;
      let count = 0;
      while (more) {
        if (pos >= end) throw malformed('tag truncated', tagStart);
        const b = buf[pos]!;
        pos += 1;
        count += 1;
        if (count > 3) throw malformed('tag longer than 4 bytes', tagStart);
        more = (b & 0x80) !== 0;
      }
    }
    const tag = buf.toString('hex', tagStart, pos).toUpperCase();
    if (pos >= end) throw malformed('length missing', pos);
    let length = buf[pos]!;
    pos += 1;
    if (length === 0x80) throw malformed('indefinite length', pos - 1);
    if (length > 0x80) {
      const n = length & 0x7f;
      if (n > 4) throw malformed('length of length over 4', pos - 1);
      if (pos + n > end) throw malformed('length truncated', pos);
      length = 0;
      for (let i = 0; i < n; i += 1) length = length * 256 + buf[pos + i]!;
      pos += n;
    }
    if (length > end - pos) throw malformed('value truncated', pos);
    const value = buf.subarray(pos, pos + length);
    const constructed = (first & 0x20) !== 0;
    const node: Tlv = constructed
      ? { tag, constructed, value, children: decodeRange(buf, pos, pos + length, depth + 1) }
      : { tag, constructed, value };
    out.push(node);
    pos += length;
  }
  return out;
}

/** Depth-first search for the first object with this tag. */
export function findTag(nodes: readonly Tlv[], tag: string): Tlv | undefined {
  const want = tag.toUpperCase();
  for (const node of nodes) {
    if (node.tag === want) return node;
    if (node.children) {
      const hit = findTag(node.children, want);
      if (hit) return hit;
    }
  }
  return undefined;
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encodeTag(tag: string): Buffer {
  if (!/^([0-9A-Fa-f]{2}){1,4}$/.test(tag)) throw malformed(`bad tag "${tag}"`, 0);
  return Buffer.from(tag, 'hex');
}

export function encodeTlv(nodes: readonly TlvInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const node of nodes) {
    const value = 'children' in node ? encodeTlv(node.children) : Buffer.from(node.value);
    parts.push(encodeTag(node.tag), encodeLength(value.length), value);
  }
  return Buffer.concat(parts);
}
