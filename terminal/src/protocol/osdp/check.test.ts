/** Check characters against the SIA OSDP 2.2 Annex E examples (also in libosdp test-sc-sia-vectors.c). */
import { describe, expect, it } from 'vitest';
import { checksum8, crc16 } from './check.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('Annex C check characters', () => {
  it('CRC-16 examples 1 and 2 (sent LSB first: 6E 38, C0 66)', () => {
    expect(crc16(hex('53 7F 0D 00 04 6E 00 80 25 00 00'))).toBe(0x386e);
    expect(crc16(hex('53 00 09 00 04 61 00'))).toBe(0x66c0);
  });

  it('checksum examples 1 and 2', () => {
    expect(checksum8(hex('53 7F 0C 00 00 6E 00 80 25 00 00'))).toBe(0x0f);
    expect(checksum8(hex('53 00 08 00 00 61 00'))).toBe(0x44);
  });
});
