/** The simulated receiver's sentences: checksums, coordinate and time formats. */
import { describe, expect, it } from 'vitest';
import { checksumHex, formatCoordinate, formatUtc, ggaSentence, rmcSentence, sentence, type GpsSample } from './nmea-encode.js';

const sample: GpsSample = {
  wallMs: Date.UTC(2026, 8, 1, 7, 30, 5, 250),
  lat: 55.7512,
  lon: 37.6184,
  speedKmh: 36,
  courseDeg: 90,
  quality: 1,
  satellites: 9,
  hdop: 0.9,
  altitudeM: 150,
};

/** Recompute the checksum of a full sentence without the encoder's helper. */
function checksumOk(line: string): boolean {
  const m = /^\$([^*]+)\*([0-9A-F]{2})$/.exec(line);
  if (!m) return false;
  let sum = 0;
  for (const c of Buffer.from(m[1]!, 'latin1')) sum ^= c;
  return sum === parseInt(m[2]!, 16);
}

describe('NMEA encoding', () => {
  it('checksums agree with a real receiver (gpsd gpslim236.log)', () => {
    expect(checksumHex('GPRMC,185244.000,A,4854.2575,N,00219.9816,E,0.00,296.61,210706,,,A')).toBe('6C');
    expect(sentence('GPVTG,296.61,T,,M,0.00,N,0.0,K,A')).toBe('$GPVTG,296.61,T,,M,0.00,N,0.0,K,A*07');
  });

  it('RMC and GGA carry the sample, with valid checksums', () => {
    const r = rmcSentence(sample);
    expect(r).toMatch(/^\$GPRMC,073005\.25,A,5545\.07200,N,03737\.10400,E,19\.438,90\.00,010926,,,A\*[0-9A-F]{2}$/);
    expect(ggaSentence(sample, 'GN')).toMatch(/^\$GNGGA,073005\.25,5545\.07200,N,03737\.10400,E,1,09,0\.9,150\.0,M,14\.5,M,,\*[0-9A-F]{2}$/);
    expect(checksumOk(r)).toBe(true);
    expect(checksumOk(ggaSentence(sample))).toBe(true);
  });

  it('no fix: RMC status V and GGA quality 0 with empty positions', () => {
    expect(rmcSentence({ ...sample, quality: 0 })).toMatch(/^\$GPRMC,073005\.25,V,,,,,,,010926,,,N\*/);
    expect(ggaSentence({ ...sample, quality: 0 })).toMatch(/^\$GPGGA,073005\.25,,,,,0,00,/);
  });

  it('coordinates: hemispheres, zero padding, and 59.999999′ rounds up to the next degree', () => {
    expect(formatCoordinate(-33.5, 'lat')).toEqual(['3330.00000', 'S']);
    expect(formatCoordinate(-151.2, 'lon')).toEqual(['15112.00000', 'W']);
    expect(formatCoordinate(5.0001, 'lon')).toEqual(['00500.00600', 'E']);
    expect(formatCoordinate(54.99999999999, 'lat')).toEqual(['5500.00000', 'N']);
    expect(formatCoordinate(0, 'lat')).toEqual(['0000.00000', 'N']);
  });

  it('UTC time with truncated hundredths and a two-digit year', () => {
    expect(formatUtc(Date.UTC(2031, 11, 31, 23, 59, 59, 999))).toEqual({ time: '235959.99', date: '311231' });
  });
});
