import { describe, it, expect } from 'vitest';
import { fromHex } from '../hex.js';
import { parseAfl, readRecordP2, recordsOf } from './afl.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('reading the AFL from a GPO answer', () => {
  it('Maestro AFL 08010500 10010201: SFI 1 records 1-5, SFI 2 records 1-2 (one for ODA)', () => {
    // maestro-ru-contact-emvtools.apdu (lumag/emv-tools, LGPL-2.1), tag 94.
    expect(parseAfl(fromHex('0801050010010201'))).toEqual([
      { sfi: 1, firstRecord: 1, lastRecord: 5, odaCount: 0 },
      { sfi: 2, firstRecord: 1, lastRecord: 2, odaCount: 1 },
    ]);
  });

  it('girocard AFL (six entries) lists records in card order', () => {
    // girocard-volksbank-de.apdu, tag 94 of the first GPO answer.
    const afl = parseAfl(fromHex('180101002001010020040400080505010807070108030301'));
    expect(recordsOf(afl).map((r) => `${r.sfi}/${r.record}`)).toEqual(['3/1', '4/1', '4/4', '1/5', '1/7', '1/3']);
  });

  it('READ RECORD P2 for an SFI matches the fixture commands (00B2 01 0C / 1C / 24)', () => {
    expect([1, 3, 4].map(readRecordP2)).toEqual([0x0c, 0x1c, 0x24]);
  });

  it('a record listed twice is read once', () => {
    expect(recordsOf(parseAfl(fromHex('0801020008020300')))).toEqual([
      { sfi: 1, record: 1 },
      { sfi: 1, record: 2 },
      { sfi: 1, record: 3 },
    ]);
  });

  it('an empty AFL has no records', () => {
    expect(recordsOf(parseAfl(new Uint8Array(0)))).toEqual([]);
  });

  it.each([
    ['3 bytes', '080101'],
    ['5 bytes', '0801010000'],
    ['SFI 0', '00010100'],
    ['SFI 31', 'F8010100'],
    ['first record 0', '08000100'],
    ['last record before first', '08030200'],
    ['a good entry then a bad one', '08010100F8010100'],
  ])('refuses %s with AFL_MALFORMED', (_name, hex) => {
    expect(codeOf(() => parseAfl(fromHex(hex)))).toBe('AFL_MALFORMED');
  });
});
