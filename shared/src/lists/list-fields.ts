/**
 * Field rules of a list payload line shared by the general parser (list-record.ts) and its
 * canonical-layout fast path (canonical-line.ts). Pure.
 */

export const MAX_CATEGORY_CHARS = 64;

/** base64url characters, by char code. */
const BASE64URL = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') BASE64URL[ch.charCodeAt(0)] = 1;
/** The last of 43 characters carries 2 bits of padding, which a canonical encoding leaves zero. */
const LAST_TOKEN_CHARS = 'AEIMQUYcgkosw048';
const TOKEN_CHARS = 43;

/**
 * base64url of a 32-byte HMAC, canonical (43 characters, no padding): /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.
 * A loop over char codes, not the regex: this runs on every line of a 1M-entry snapshot.
 */
export function isCardToken(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== TOKEN_CHARS) return false;
  for (let i = 0; i < TOKEN_CHARS - 1; i += 1) {
    if (BASE64URL[value.charCodeAt(i)] !== 1) return false;
  }
  return LAST_TOKEN_CHARS.includes(value.charAt(TOKEN_CHARS - 1));
}

const DASH = 0x2d;
const ZERO = 0x30;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar date YYYY-MM-DD (proleptic Gregorian, as Date reads it). Arithmetic, not Date: this runs twice per
 * line of a 1M-entry snapshot, and Date + toISOString was half of the device's parse time.
 */
export function isLocalDate(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== DASH || v.charCodeAt(7) !== DASH) return false;
  const y = digits(v, 0, 4);
  const m = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (DAYS_IN_MONTH[m - 1] ?? 0) + (leap ? 1 : 0);
}

/** The decimal number of ASCII digits v[from, from + n), or -1 if any is not 0-9. */
function digits(v: string, from: number, n: number): number {
  let out = 0;
  for (let i = from; i < from + n; i += 1) {
    const d = v.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    out = out * 10 + d;
  }
  return out;
}
