import { describe, it, expect } from 'vitest';
import { fromHex, toHex } from '../hex.js';
import { contactlessTerminalData, newUnpredictableNumber } from './terminal-data.js';

const hexMap = (m: Map<string, Buffer>): Record<string, string> =>
  Object.fromEntries([...m].map(([tag, value]) => [tag, toHex(value)]));

describe('terminal data for a contactless read', () => {
  const now = new Date('2025-12-31T22:30:05Z');

  it('holds the standard PDOL values for a zero-amount read in Russia', () => {
    const data = hexMap(contactlessTerminalData({ now, unpredictable: fromHex('01020304') }));
    expect(data).toMatchObject({
      '9F66': '36004000',
      '9F02': '000000000000',
      '9F03': '000000000000',
      '9F1A': '0643',
      '5F2A': '0643',
      '9A': '251231',
      '9F21': '223005',
      '9C': '00',
      '9F37': '01020304',
      '9F35': '22',
      '95': '0000000000',
      '9F4E': toHex(Buffer.from('RESCARD')),
    });
    expect(data['9F40']).toHaveLength(10);
  });

  it('date and time follow the given UTC offset (Moscow: already 1 January)', () => {
    const data = hexMap(contactlessTerminalData({ now, unpredictable: fromHex('01020304'), utcOffsetMinutes: 180 }));
    expect([data['9A'], data['9F21']]).toEqual(['260101', '013005']);
  });

  it('is pure: same input, same output, and the caller buffer is copied', () => {
    const unpredictable = fromHex('A1B2C3D4');
    const a = contactlessTerminalData({ now, unpredictable });
    unpredictable.fill(0);
    expect(hexMap(a)).toEqual(hexMap(contactlessTerminalData({ now, unpredictable: fromHex('A1B2C3D4') })));
  });

  it('the unpredictable number is 4 fresh random bytes', () => {
    const [a, b] = [newUnpredictableNumber(), newUnpredictableNumber()];
    expect(a).toHaveLength(4);
    expect(a.equals(b)).toBe(false);
  });

  it.each([
    ['a 3-byte unpredictable number', { now, unpredictable: fromHex('010203') }],
    ['an invalid date', { now: new Date(Number.NaN), unpredictable: fromHex('01020304') }],
    ['a fractional UTC offset', { now, unpredictable: fromHex('01020304'), utcOffsetMinutes: 0.5 }],
    ['a non-ASCII merchant name', { now, unpredictable: fromHex('01020304'), merchantName: 'Школа' }],
  ])('refuses %s with CONFIG_INVALID', (_name, input) => {
    expect(() => contactlessTerminalData(input)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});
