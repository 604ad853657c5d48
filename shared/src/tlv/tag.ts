/**
 * BER-TLV tag rules shared by the TLV codec and DOL parsing (EMV Book 3, Annex B1).
 *
 * - b5..b1 of the first byte all set (xxx11111): more tag bytes follow; in each following byte
 *   b8 set means "another byte follows". EMV tags are at most 4 bytes here (3 in practice).
 * - b6 of the first byte set: constructed object.
 * - 0x00 and 0xFF are padding in a TLV stream, so they cannot start a tag we write.
 */

/** Longest tag accepted, in bytes (EMV uses up to 3; ISO allows more, nobody sends them). */
export const TAG_MAX_BYTES = 4;

/**
 * Scan one tag starting at `pos` (which must be < end). Returns the index just after the tag,
 * or the reason it cannot be read. Reads nothing at or beyond `end`.
 */
export function scanTag(buf: Uint8Array, pos: number, end: number): number | 'tag truncated' | 'tag too long' {
  const first = buf[pos]!;
  let next = pos + 1;
  if ((first & 0x1f) !== 0x1f) return next;
  for (;;) {
    if (next >= end) return 'tag truncated';
    if (next - pos >= TAG_MAX_BYTES) return 'tag too long';
    const b = buf[next]!;
    next += 1;
    if ((b & 0x80) === 0) return next;
  }
}

/** True when `tag` (hex) is one complete, well-formed tag that is not a padding byte. */
export function isValidTag(tag: string): boolean {
  if (!/^([0-9A-Fa-f]{2}){1,4}$/.test(tag)) return false;
  const bytes = Buffer.from(tag, 'hex');
  const first = bytes[0]!;
  if (first === 0x00 || first === 0xff) return false;
  return scanTag(bytes, 0, bytes.length) === bytes.length;
}

/** b6 of the first tag byte: the value is itself a series of TLV objects. */
export function isConstructedTag(tag: string): boolean {
  return (parseInt(tag.slice(0, 2), 16) & 0x20) !== 0;
}
