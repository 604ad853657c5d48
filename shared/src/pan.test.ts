import { describe, it, expect } from 'vitest';
import { fromHex } from './hex.js';
import { expiryFrom5F24, expiryFromYymm, luhnValid, maskPan, normalisePan, panFromBcd, parseTrack2 } from './pan.js';

// Fixture bytes from /work/shared/fixtures/emv (real cards; PAN digits replaced by their
// publishers' stand-ins keeping BIN and length):
// - girocard-volksbank-de.apdu (MichaelsPlayground/TalkToYourCreditCardPart7): 5A, 57, 5F24
// - maestro-ru-contact-emvtools.apdu (lumag/emv-tools, LGPL-2.1): 5A, 57, 5F24
// - devnied-visa-ppse6700-le6c.apdu (devnied/EMV-NFC-Paycard-Enrollment, Apache-2.0): masked 57
// - mir-synthetic.apdu (synthetic, CC0): 57
const GIROCARD_5A = '6726426572433735329F';
const GIROCARD_57 = '6726426572433735329D21122010254828156F';
const MAESTRO_5A = '676196386065220430';
const MAESTRO_57 = '676196386065220430D16112260018707967';
const DEVNIED_VISA_57 = '5772829193253472D14082017412577580000F';
const MIR_57 = '2200000000000004D301220100000000000F';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('normalising a typed or scanned PAN', () => {
  it('strips spaces and dashes', () => {
    expect(normalisePan('2200 0000-0000 0004')).toBe('2200000000000004');
  });

  it.each([
    ['11 digits', '22000000000'],
    ['20 digits', '22000000000000000004'],
    ['a letter', '220000000000000A'],
    ['empty', ''],
    ['full-width digits', '２２００００００００００００００'],
  ])('rejects %s with PAN_INVALID', (_name, input) => {
    expect(codeOf(() => normalisePan(input))).toBe('PAN_INVALID');
  });
});

describe('Luhn is a flag, not a reject', () => {
  it('passes the Mir test PAN and the real fixtures', () => {
    expect(luhnValid('2200000000000004')).toBe(true);
    expect(luhnValid('6726426572433735329')).toBe(true);
    expect(luhnValid('676196386065220430')).toBe(true);
  });

  it('fails a one-digit change and non-digits', () => {
    expect(luhnValid('2200000000000005')).toBe(false);
    expect(luhnValid('22000000000000x4')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });

  it('a masked fixture PAN fails Luhn yet still parses from track 2', () => {
    const { pan } = parseTrack2(fromHex(DEVNIED_VISA_57));
    expect(pan).toBe('5772829193253472');
    expect(luhnValid(pan)).toBe(false);
  });
});

describe('masking', () => {
  it('keeps first 6 and last 4 and the length', () => {
    expect(maskPan('2200000000000004')).toBe('220000******0004');
    expect(maskPan('6726426572433735329')).toBe('672642*********5329');
    expect(maskPan('123456789012')).toBe('123456**9012');
  });

  it('masks a spaced PAN and refuses a non-PAN', () => {
    expect(maskPan('2200 0000 0000 0004')).toBe('220000******0004');
    expect(codeOf(() => maskPan('1234'))).toBe('PAN_INVALID');
  });
});

describe('PAN from tag 5A (BCD, F-padded)', () => {
  it('reads the 19-digit girocard PAN and drops the trailing F', () => {
    expect(panFromBcd(fromHex(GIROCARD_5A))).toBe('6726426572433735329');
  });

  it('reads the 18-digit Maestro PAN in 9 bytes without padding', () => {
    expect(panFromBcd(fromHex(MAESTRO_5A))).toBe('676196386065220430');
  });

  it.each([
    ['an A nibble', '2200000A00000004'],
    ['an F nibble in the middle', '22000F0000000004'],
    ['a D separator (track 2 passed as 5A)', '2200000000000004D3012'],
  ])('rejects %s with PAN_INVALID', (_name, hex) => {
    expect(codeOf(() => panFromBcd(fromHex(hex.length % 2 ? `${hex}F` : hex)))).toBe('PAN_INVALID');
  });

  it('rejects a 5A too short for a PAN', () => {
    expect(codeOf(() => panFromBcd(fromHex('220000FF')))).toBe('PAN_INVALID');
  });
});

describe('track 2 equivalent data (57)', () => {
  it('splits the girocard track 2: 19-digit PAN, 2112, service code 201', () => {
    expect(parseTrack2(fromHex(GIROCARD_57))).toEqual({
      pan: '6726426572433735329',
      expiryYymm: '2112',
      serviceCode: '201',
    });
  });

  it('splits the Maestro track 2 (18 digits, no F pad)', () => {
    expect(parseTrack2(fromHex(MAESTRO_57))).toEqual({ pan: '676196386065220430', expiryYymm: '1611', serviceCode: '226' });
  });

  it('splits the masked Visa and the synthetic Mir track 2', () => {
    expect(parseTrack2(fromHex(DEVNIED_VISA_57))).toMatchObject({ expiryYymm: '1408', serviceCode: '201' });
    expect(parseTrack2(fromHex(MIR_57))).toEqual({ pan: '2200000000000004', expiryYymm: '3012', serviceCode: '201' });
  });

  it.each([
    ['no separator', '22000000000000043012201F', 'TRACK2_MALFORMED'],
    ['too little after the separator', '2200000000000004D301', 'TRACK2_MALFORMED'],
    ['a non-decimal nibble in the expiry', '2200000000000004D30A2201', 'TRACK2_MALFORMED'],
    ['month 13', '2200000000000004D3013201', 'EXPIRY_INVALID'],
    ['a bad nibble in the PAN', '22000000000B0004D3012201', 'PAN_INVALID'],
    ['a PAN of 8 digits', '22000000D3012201', 'PAN_INVALID'],
  ])('rejects %s', (_name, hex, code) => {
    expect(codeOf(() => parseTrack2(fromHex(hex)))).toBe(code);
  });
});

describe('expiry', () => {
  it('5F24 YYMMDD to YYYY-MM: girocard 211231, Maestro 161130', () => {
    expect(expiryFrom5F24(fromHex('211231'))).toBe('2021-12');
    expect(expiryFrom5F24(fromHex('161130'))).toBe('2016-11');
  });

  it('track 2 YYMM to YYYY-MM agrees with 5F24', () => {
    expect(expiryFromYymm(parseTrack2(fromHex(GIROCARD_57)).expiryYymm)).toBe(expiryFrom5F24(fromHex('211231')));
  });

  it.each([
    ['2 bytes', '2112'],
    ['a non-BCD nibble', '21123A'],
    ['month 00', '210031'],
    ['month 13', '211331'],
  ])('5F24 with %s is EXPIRY_INVALID', (_name, hex) => {
    expect(codeOf(() => expiryFrom5F24(fromHex(hex)))).toBe('EXPIRY_INVALID');
  });

  it('YYMM that is not 4 digits is EXPIRY_INVALID', () => {
    expect(codeOf(() => expiryFromYymm('211'))).toBe('EXPIRY_INVALID');
  });
});

describe('track 2 with an F-filled service code (devnied-cb-mc-two-aids.apdu, masked CB/MC card)', () => {
  it('keeps the PAN and expiry and reports no service code', () => {
    const t = parseTrack2(fromHex('5599999999999999D15092FFFFFFFFFFFFFF0F'));
    expect(t.expiryYymm).toBe('1509');
    expect(t.serviceCode).toBeNull();
  });
});
