/** The parser on real receiver logs (gpsd's test/daemon logs; sources in each fixture's header). */
import { describe, expect, it } from 'vitest';
import { nmeaFixtureLines, type NmeaFixture } from './fixtures/nmea-fixtures.js';
import { parseSentence } from './sentence.js';
import type { GgaSentence, RmcSentence } from './types.js';

function tally(name: NmeaFixture) {
  const counts = { RMC: 0, GGA: 0, validRmc: 0, fixGga: 0, checksum: 0, malformed: 0, unsupported: 0 };
  const rmc: RmcSentence[] = [];
  const gga: GgaSentence[] = [];
  for (const line of nmeaFixtureLines(name)) {
    const r = parseSentence(line);
    if (!r.ok) {
      counts[r.reason] += 1;
    } else if (r.sentence.type === 'RMC') {
      counts.RMC += 1;
      if (r.sentence.valid) counts.validRmc += 1;
      rmc.push(r.sentence);
    } else {
      counts.GGA += 1;
      if (r.sentence.quality > 0) counts.fixGga += 1;
      gga.push(r.sentence);
    }
  }
  return { counts, rmc, gga };
}

describe('real NMEA logs', () => {
  it('bu353-glonass (SiRF III, Moscow): GN RMC + GP GGA, then the fix is lost', () => {
    const { counts, rmc, gga } = tally('bu353-glonass');
    expect(counts).toEqual({ RMC: 19, GGA: 18, validRmc: 9, fixGga: 8, checksum: 0, malformed: 0, unsupported: 75 });
    // $GNRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A*74
    // 55° 41.1955' = 55 + 41.1955/60 = 55.686591666…; 37° 37.2872' = 37.621453333…; 0.60 kn × 1.852 = 1.1112 km/h
    const first = rmc[0]!;
    expect(first.talker).toBe('GN');
    expect(first.position!.lat).toBeCloseTo(55.6865916667, 9);
    expect(first.position!.lon).toBeCloseTo(37.6214533333, 9);
    expect(first.speedKmh).toBeCloseTo(1.1112, 9);
    expect(first.courseDeg).toBe(301.29);
    expect(first.utcMs).toBe(Date.UTC(2014, 4, 26, 8, 14, 11));
    expect(first.mode).toBe('A');
    // $GNRMC,081420.000,V,,,,,0.00,340.16,260514,,,N*58: no position, not valid
    const lost = rmc[9]!;
    expect(lost).toMatchObject({ status: 'V', valid: false, position: null, mode: 'N' });
    // $GPGGA,081412.000,5541.1956,N,03737.2877,E,1,5,4.87,66.2,M,14.5,M,,*6A
    expect(gga[0]).toMatchObject({ talker: 'GP', quality: 1, satellites: 5, hdop: 4.87, altitudeM: 66.2 });
    expect(gga[0]!.timeOfDayMs).toBe(((8 * 60 + 14) * 60 + 12) * 1000);
    expect(gga[8]).toMatchObject({ quality: 0, position: null, satellites: 0, hdop: null });
  });

  it('gpslim236 (Holux, near Paris): GP only, every epoch a fix', () => {
    const { counts, rmc, gga } = tally('gpslim236');
    expect(counts).toEqual({ RMC: 20, GGA: 20, validRmc: 20, fixGga: 20, checksum: 0, malformed: 0, unsupported: 36 });
    // $GPGGA,185244.000,4854.2575,N,00219.9816,E,1,05,1.7,124.4,M,...: 48 + 54.2575/60, 2 + 19.9816/60
    expect(gga[0]!.position!.lat).toBeCloseTo(48.9042916667, 9);
    expect(gga[0]!.position!.lon).toBeCloseTo(2.3330266667, 9);
    expect(gga[0]).toMatchObject({ quality: 1, satellites: 5, hdop: 1.7, altitudeM: 124.4 });
    expect(rmc.at(-1)!.utcMs).toBe(Date.UTC(2006, 6, 21, 18, 53, 3));
    expect(rmc.every((s) => s.speedKmh === 0 && s.mode === 'A')).toBe(true);
  });

  it('furuno GT-88 (NMEA 4.1): RMC with nav status, DGPS quality 2, GL/GA satellites and proprietary sentences', () => {
    const { counts, rmc, gga } = tally('furuno-gt88-gl-ga');
    expect(counts).toEqual({ RMC: 5, GGA: 5, validRmc: 5, fixGga: 5, checksum: 0, malformed: 0, unsupported: 88 });
    // $GNRMC,120213.000,A,5957.0062,N,01100.6429,E,0.00,0.00,310722,,,D,V*0A: 59 + 57.0062/60, 11 + 0.6429/60
    expect(rmc[0]).toMatchObject({ talker: 'GN', mode: 'D', valid: true, courseDeg: 0 });
    expect(rmc[0]!.position!.lat).toBeCloseTo(59.9501033333, 9);
    expect(rmc[0]!.position!.lon).toBeCloseTo(11.010715, 9);
    expect(gga[0]).toMatchObject({ talker: 'GN', quality: 2, satellites: 0, hdop: 1.3, altitudeM: 168.9 });
  });

  it('a corrupted copy: every damaged line is counted by reason, the intact ones still parse', () => {
    const { counts } = tally('gpslim236-corrupted');
    // Parser alone: "…4854.25$GPRMC,…" is one malformed line (the line framer resyncs it, see
    // nmea-position.test.ts), and the over-long $GPTXT (the framer drops it) fails its checksum.
    expect(counts).toEqual({ RMC: 15, GGA: 17, validRmc: 15, fixGga: 17, checksum: 2, malformed: 6, unsupported: 37 });
  });
});
