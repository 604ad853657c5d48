/** Hex helpers. Uppercase output, tolerant input (spaces allowed), strict about odd length. */
import { RescardError } from './errors.js';

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

export function fromHex(hex: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new RescardError('CONFIG_INVALID', 'not a hex string', { length: clean.length });
  }
  return Buffer.from(clean, 'hex');
}
