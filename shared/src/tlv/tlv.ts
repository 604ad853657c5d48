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
import { isConstructedTag, isValidTag, scanTag } from './tag.js';

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

function unencodable(reason: string): RescardError {
  return new RescardError('TLV_MALFORMED', `cannot encode BER-TLV: ${reason}`, { reason });
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
    const tagEnd = scanTag(buf, pos, end);
    if (typeof tagEnd === 'string') throw malformed(tagEnd, tagStart);
    pos = tagEnd;
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
  if (length > 0xffffffff) throw unencodable('value longer than a 4-byte length');
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * Encode with minimal (DER-style) lengths. Refuses what would not decode back to the same tree:
 * a tag that is not one well-formed tag (or starts with padding byte 00/FF), and children under
 * a primitive tag. A constructed tag may carry a raw `value` (e.g. a template copied verbatim).
 */
export function encodeTlv(nodes: readonly TlvInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const node of nodes) {
    if (!isValidTag(node.tag)) throw unencodable(`bad tag ${JSON.stringify(node.tag.slice(0, 16))}`);
    let value: Buffer;
    if ('children' in node) {
      if (!isConstructedTag(node.tag)) throw unencodable(`children under primitive tag ${node.tag}`);
      value = encodeTlv(node.children);
    } else {
      value = Buffer.from(node.value);
    }
    parts.push(Buffer.from(node.tag, 'hex'), encodeLength(value.length), value);
  }
  return Buffer.concat(parts);
}
