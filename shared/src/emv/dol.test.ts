import { describe, it, expect } from 'vitest';
import { fromHex, toHex } from '../hex.js';
import { buildDol, dolLength, parseDol } from './dol.js';
import { contactlessTerminalData } from './terminal-data.js';

// PDOL of a Visa qVSDC card (devnied-visa-ppse6700-le6c.apdu, devnied/EMV-NFC-Paycard-Enrollment,
// Apache-2.0); the synthetic Mir card uses the same list.
const VISA_PDOL = '9F66049F02069F03069F1A0295055F2A029A039C019F3704';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('parsing a DOL', () => {
  it('reads the Visa PDOL: nine entries asking for 33 bytes', () => {
    const entries = parseDol(fromHex(VISA_PDOL));
    expect(entries.map((e) => `${e.tag}:${e.length}`)).toEqual([
      '9F66:4', '9F02:6', '9F03:6', '9F1A:2', '95:5', '5F2A:2', '9A:3', '9C:1', '9F37:4',
    ]);
    expect(dolLength(entries)).toBe(33);
  });

  it('an empty DOL asks for nothing', () => {
    expect(parseDol(new Uint8Array(0))).toEqual([]);
    expect(buildDol([], {})).toHaveLength(0);
  });

  it.each([
    ['a multi-byte tag cut short', '9F6604' + '9F'],
    ['a tag with no length byte', '9F6604' + '9F02'],
    ['a padding byte where a tag starts', '009F6604'],
    ['a tag longer than 4 bytes', 'DF8182838401'],
  ])('refuses %s with DOL_MALFORMED', (_name, hex) => {
    expect(codeOf(() => parseDol(fromHex(hex)))).toBe('DOL_MALFORMED');
  });
});

describe('building the DOL-related data (EMV Book 3 §5.4)', () => {
  const now = new Date('2025-03-07T10:20:30Z');
  const terminal = contactlessTerminalData({ now, unpredictable: fromHex('DEADBEEF') });

  it('fills the Visa PDOL with contactless terminal data: 33 bytes, field by field', () => {
    const data = buildDol(parseDol(fromHex(VISA_PDOL)), terminal);
    expect(data).toHaveLength(33);
    expect(toHex(data)).toBe(
      ['36004000', '000000000000', '000000000000', '0643', '0000000000', '0643', '250307', '00', 'DEADBEEF'].join(''),
    );
  });

  it('girocard PDOL 9F33 02 9F35 01 9F40 01: binary values cut on the right', () => {
    expect(toHex(buildDol(parseDol(fromHex('9F33029F35019F4001')), terminal))).toBe('0008' + '22' + '60');
  });

  it('numeric (n) values: longer are cut on the left, shorter get leading zeros', () => {
    const values = { '9F02': fromHex('000000012345'), '9A': fromHex('0307') };
    expect(toHex(buildDol([{ tag: '9F02', length: 4 }], values))).toBe('00012345');
    expect(toHex(buildDol([{ tag: '9F02', length: 8 }], values))).toBe('0000000000012345');
    expect(toHex(buildDol([{ tag: '9A', length: 3 }], values))).toBe('000307');
  });

  it('other formats: longer are cut on the right, shorter get trailing zeros', () => {
    const values = new Map([['9F4E', Buffer.from('RESCARD', 'latin1')]]);
    expect(buildDol([{ tag: '9F4E', length: 3 }], values).toString('latin1')).toBe('RES');
    expect(toHex(buildDol([{ tag: '9F4E', length: 9 }], values))).toBe(`${toHex(Buffer.from('RESCARD'))}0000`);
  });

  it('compressed numeric (cn) values shorter than asked get trailing FF', () => {
    expect(toHex(buildDol([{ tag: '5A', length: 10 }], { '5A': fromHex('2200000000000004') }))).toBe(
      '2200000000000004FFFF',
    );
  });

  it('unknown and constructed tags are zeros of the asked length', () => {
    const values = { BF0C: fromHex('AABB'), DF01: fromHex('') };
    expect(toHex(buildDol([{ tag: 'DF7F', length: 3 }, { tag: 'BF0C', length: 2 }], values))).toBe('0000000000');
  });

  it('accepts a plain record with lowercase tags and a zero-length entry', () => {
    const entries = [{ tag: '9C', length: 0 }, { tag: '9F1A', length: 2 }];
    expect(toHex(buildDol(entries, { '9f1a': fromHex('0643') }))).toBe('0643');
  });
});
