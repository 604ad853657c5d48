/** parseSentence on hand-made and damaged sentences: every rejection has its reason. */
import { describe, expect, it } from 'vitest';
import { nmeaChecksum, withChecksum } from './checksum.js';
import { parseSentence } from './sentence.js';

// From gpslim236.nmea (gpsd, BSD-2-Clause).
const RMC = '$GPRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A*6C';
const GGA = '$GPGGA,185244.000,4854.2575,N,00219.9816,E,1,05,1.7,124.4,M,47.3,M,,0000*56';

const reason = (line: string): string => {
  const r = parseSentence(line);
  return r.ok ? 'ok' : r.reason;
};
/** Re-checksum a body so only the field under test is wrong. */
const signed = (body: string): string => withChecksum(body);

describe('checksum', () => {
  it('is the XOR of the body and matches real sentences', () => {
    expect(nmeaChecksum('GPRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A')).toBe(0x6c);
    expect(withChecksum('GPGGA,185244.000,4854.2575,N,00219.9816,E,1,05,1.7,124.4,M,47.3,M,,0000')).toBe(GGA);
  });

  it('a changed digit or a wrong *HH is a checksum failure; lower-case hex is accepted', () => {
    expect(reason(RMC.replace('4854.2575', '4854.2576'))).toBe('checksum');
    expect(reason(RMC.replace('*6C', '*6D'))).toBe('checksum');
    expect(reason(RMC.replace('*6C', '*6c'))).toBe('ok');
  });
});

describe('malformed', () => {
  it.each([
    ['truncated mid-field', RMC.slice(0, 30)],
    ['truncated checksum', RMC.slice(0, -1)],
    ['no checksum', RMC.slice(0, -3)],
    ['empty', ''],
    ['no start delimiter', RMC.slice(1)],
    ['binary noise', '\u00ff\u00fe\u0000garbage'],
    ['a second $ inside', '$GPGGA,1852' + RMC],
    ['bad address', signed('GP-RMC,1')],
  ])('%s', (_name, line) => {
    expect(reason(line)).toBe('malformed');
  });

  it.each([
    ['latitude letters', 'GPRMC,185244.000,A,48X4.2575,N,00219.9816,E,0.00,296.61,210706,,,A'],
    ['latitude minutes >= 60', 'GPRMC,185244.000,A,4860.0000,N,00219.9816,E,0.00,296.61,210706,,,A'],
    ['longitude with 2 degree digits', 'GPRMC,185244.000,A,4854.2575,N,0219.9816,E,0.00,296.61,210706,,,A'],
    ['hemisphere Q', 'GPRMC,185244.000,A,4854.2575,Q,00219.9816,E,0.00,296.61,210706,,,A'],
    ['status X', 'GPRMC,185244.000,X,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A'],
    ['status A without position', 'GPRMC,185244.000,A,,,,,0.00,296.61,210706,,,A'],
    ['speed 1e3', 'GPRMC,185244.000,A,4854.2575,N,00219.9816,E,1e3,296.61,210706,,,A'],
    ['date 31 February', 'GPRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,310206,,,A'],
    ['hour 25', 'GPRMC,255244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A'],
    ['unknown mode', 'GPRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,Z'],
    ['RMC too short', 'GPRMC,185244.000,A,4854.2575,N'],
    ['GGA quality 9', 'GPGGA,185244.000,4854.2575,N,00219.9816,E,9,05,1.7,124.4,M,47.3,M,,0000'],
    ['GGA fix without position', 'GPGGA,185244.000,,,,,1,05,1.7,124.4,M,47.3,M,,0000'],
    ['GGA too many fields', 'GPGGA,185244.000,4854.2575,N,00219.9816,E,1,05,1.7,124.4,M,47.3,M,,0000,1'],
  ])('%s (checksum correct)', (_name, body) => {
    const r = parseSentence(signed(body));
    expect(r.ok ? 'ok' : r.reason).toBe('malformed');
  });
});

describe('unsupported', () => {
  it.each([
    ['another sentence', '$GPVTG,296.61,T,,M,0.00,N,0.0,K,A*07'],
    ['proprietary', '$PERDCRQ,1,1,,*43'],
    ['BeiDou talker', signed('BDRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A')],
    ['AIS', signed('AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0').replace(/^\$/, '!')],
  ])('%s', (_name, line) => {
    expect(reason(line)).toBe('unsupported');
  });
});

describe('accepted', () => {
  it.each(['GP', 'GN', 'GL', 'GA'])('talker %s', (talker) => {
    const r = parseSentence(signed(RMC.slice(1, -3).replace(/^GP/, talker)));
    expect(r.ok && r.sentence.talker).toBe(talker);
  });

  it('south and west are negative; 5-decimal minutes; NMEA 2.0 RMC without mode', () => {
    const r = parseSentence(signed('GPRMC,000000.00,A,3351.12345,S,15112.54321,W,10.0,,010100,,'));
    expect(r.ok).toBe(true);
    if (!r.ok || r.sentence.type !== 'RMC') return;
    expect(r.sentence.position!.lat).toBeCloseTo(-(33 + 51.12345 / 60), 10);
    expect(r.sentence.position!.lon).toBeCloseTo(-(151 + 12.54321 / 60), 10);
    expect(r.sentence).toMatchObject({ mode: null, valid: true, courseDeg: null, speedKmh: 18.52, utcMs: Date.UTC(2000, 0, 1) });
  });

  it('estimated (dead-reckoning) RMC is decoded but not a valid fix; GGA quality 6 is kept as 6', () => {
    const rmc = parseSentence(signed(RMC.slice(1, -3).replace(/,A$/, ',E')));
    expect(rmc.ok && rmc.sentence.type === 'RMC' && rmc.sentence.valid).toBe(false);
    const gga = parseSentence(signed(GGA.slice(1, -3).replace(',E,1,', ',E,6,')));
    expect(gga.ok && gga.sentence.type === 'GGA' && gga.sentence.quality).toBe(6);
  });
});
