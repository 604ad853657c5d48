/**
 * Certificate serial numbers: 16 random bytes (RFC 5280 allows up to 20 octets; CA/B Forum asks
 * for at least 64 random bits). The first byte is forced into 0x40..0x7f so the DER INTEGER is
 * positive and minimal (no leading 00, no sign bit): 126 random bits. Lowercase hex, as stored.
 */
import { randomBytes } from 'node:crypto';

export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString('hex');
}

/** Node's TLSSocket / X509Certificate give serials in uppercase hex (maybe with leading zeros). */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '');
}
