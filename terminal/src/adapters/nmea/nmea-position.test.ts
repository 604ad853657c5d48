/** NmeaPosition: fixes from RMC + GGA, no-fix and stale flags on virtual time, counters. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../ports/clock.js';
import { positionForTap } from '../../ports/position.js';
import { withChecksum } from '../../protocol/nmea/checksum.js';
import { nmeaFixture, nmeaFixtureLines } from '../../protocol/nmea/fixtures/nmea-fixtures.js';
import { NmeaPosition } from './nmea-position.js';

const T0 = Date.UTC(2026, 8, 1, 7, 30);
const wire = (...bodies: string[]): Buffer => Buffer.from(bodies.map((b) => `${withChecksum(b)}\r\n`).join(''), 'latin1');
const rmc = (time: string, extra = { status: 'A', mode: 'A' }): string =>
  `GPRMC,${time},${extra.status},5541.1955,N,03737.2872,E,10.00,90.00,010926,,,${extra.mode}`;
const gga = (time: string, quality = 1): string => `GPGGA,${time},5541.1955,N,03737.2872,E,${quality},08,0.9,150.0,M,14.5,M,,`;
const LAT = 55 + 41.1955 / 60;
const LON = 37 + 37.2872 / 60;

function setup(maxAgeMs = 3000) {
  const clock = new FakeClock(T0, 10_000);
  const position = new NmeaPosition({ clock, maxAgeMs, route: { id: 'r', stops: [{ id: 'S1', lat: LAT, lon: LON, radiusM: 30 }] } });
  return { clock, position, now: () => position.current(clock.monoMs()) };
}

describe('NmeaPosition on real logs', () => {
  it('bu353-glonass: counts every sentence; the receiver loses its fix at the end, so NO_FIX', () => {
    const { position, now } = setup();
    position.feed(nmeaFixture('bu353-glonass'));
    expect(position.counters()).toEqual({ lines: 112, rmc: 19, gga: 18, bad: { checksum: 0, malformed: 0, unsupported: 75, overlong: 0 } });
    expect(now()).toEqual({ fix: null, ageMs: null, stale: false, stopId: null });
    expect(positionForTap(now()).flag).toBe('NO_FIX');
  });

  it('bu353-glonass up to its last good epoch: RMC 081419 merged with GGA 081419', () => {
    const { position, now } = setup();
    const lines = nmeaFixtureLines('bu353-glonass');
    const cut = lines.indexOf('$GPGGA,081420.000,,,,,0,0,,,M,,M,,*47');
    position.feed(Buffer.from(lines.slice(0, cut).map((l) => `${l}\r\n`).join(''), 'latin1'));
    // $GPGGA,081419.000,5541.1973,N,03737.2934,E,1,6,4.54,…  $GNRMC,081419.000,A,5541.1973,N,03737.2934,E,0.40,342.94,260514,…
    const { fix } = now();
    expect(fix).toMatchObject({ quality: 1, satellites: 6, hdop: 4.54, courseDeg: 342.94, fixWallMs: Date.UTC(2014, 4, 26, 8, 14, 19) });
    expect(fix!.lat).toBeCloseTo(55 + 41.1973 / 60, 10);
    expect(fix!.lon).toBeCloseTo(37 + 37.2934 / 60, 10);
    expect(fix!.speedKmh).toBeCloseTo(0.4 * 1.852, 10);
  });

  it('the corrupted copy through the framer: resync recovers one RMC, the long line is overlong', () => {
    const { position, now } = setup();
    position.feed(nmeaFixture('gpslim236-corrupted'));
    expect(position.counters()).toEqual({ lines: 76, rmc: 16, gga: 17, bad: { checksum: 1, malformed: 6, unsupported: 37, overlong: 1 } });
    expect(now().fix).toMatchObject({ quality: 1, satellites: 5, fixWallMs: Date.UTC(2006, 6, 21, 18, 53, 3) });
    expect(now().fix!.lat).toBeCloseTo(48 + 54.2543 / 60, 10);
  });
});

describe('fix rules', () => {
  it('RMC makes the fix and the GGA of the same epoch adds quality, in either order', () => {
    const { position, now } = setup();
    position.feed(wire(rmc('073000.00')));
    expect(now().fix).toMatchObject({ quality: 1, speedKmh: 18.52, courseDeg: 90, fixWallMs: T0 });
    expect(now().fix).not.toHaveProperty('satellites');
    position.feed(wire(gga('073000.00', 2)));
    expect(now().fix).toMatchObject({ quality: 2, satellites: 8, hdop: 0.9 });
    position.feed(wire(gga('073001.00', 4), rmc('073001.00', { status: 'A', mode: 'R' })));
    expect(now().fix).toMatchObject({ quality: 4, fixWallMs: T0 + 1000 });
  });

  it('without a GGA the quality follows the RMC mode (D → 2)', () => {
    const { position, now } = setup();
    position.feed(wire(rmc('073000.00', { status: 'A', mode: 'D' })));
    expect(now().fix?.quality).toBe(2);
  });

  it.each([
    ['RMC status V', rmc('073001.00', { status: 'V', mode: 'N' })],
    ['RMC estimated mode', rmc('073001.00', { status: 'A', mode: 'E' })],
    ['GGA quality 0', gga('073001.00', 0)],
    ['GGA quality 6 (dead reckoning)', gga('073001.00', 6)],
    ['GGA quality 0 in the same epoch as a good RMC', gga('073000.00', 0)],
  ])('%s clears the fix at once: NO_FIX, not the old position', (_name, body) => {
    const { position, now } = setup();
    position.feed(wire(rmc('073000.00'), gga('073000.00')));
    expect(now().fix).not.toBeNull();
    position.feed(wire(body));
    expect(now()).toEqual({ fix: null, ageMs: null, stale: false, stopId: null });
  });

  it('a GGA alone does not refresh the fix: its age keeps growing until the RMC', () => {
    const { clock, position, now } = setup();
    position.feed(wire(rmc('073000.00'), gga('073000.00')));
    clock.advance(1000);
    position.feed(wire(gga('073001.00')));
    expect(now().ageMs).toBe(1000);
    position.feed(wire(rmc('073001.00')));
    expect(now().ageMs).toBe(0);
  });
});

describe('age and staleness on virtual (monotonic) time', () => {
  it('fresh up to maxAgeMs, STALE after; a stale fix keeps its values but loses its stop', () => {
    const { clock, position, now } = setup(3000);
    position.feed(wire(rmc('073000.00'), gga('073000.00')));
    expect(now()).toMatchObject({ ageMs: 0, stale: false, stopId: 'S1' });
    clock.advance(3000);
    expect(now()).toMatchObject({ ageMs: 3000, stale: false, stopId: 'S1' });
    expect(positionForTap(now())).toMatchObject({ flag: 'OK', stopId: 'S1', quality: 1, ageMs: 3000, speedKmh: 18.52 });
    clock.advance(1);
    expect(now()).toMatchObject({ ageMs: 3001, stale: true, stopId: null });
    const tap = positionForTap(now());
    expect(tap).toMatchObject({ flag: 'STALE', stopId: null, ageMs: 3001, quality: 1 });
    expect(tap.lat).toBeCloseTo(LAT, 10);
  });

  it('a wall-clock jump does not change the age; a new RMC makes it fresh again', () => {
    const { clock, position, now } = setup(3000);
    position.feed(wire(rmc('073000.00')));
    clock.setWall(T0 - 86_400_000);
    clock.advance(500);
    expect(now().ageMs).toBe(500);
    clock.advance(10_000);
    expect(now().stale).toBe(true);
    position.feed(wire(rmc('073011.00')));
    expect(now()).toMatchObject({ ageMs: 0, stale: false, stopId: 'S1' });
  });

  it('the stop id needs a route: none configured, or cleared, gives null', () => {
    const { position, now } = setup();
    position.feed(wire(rmc('073000.00')));
    position.setRoute(null);
    expect(now()).toMatchObject({ stale: false, stopId: null });
    expect(positionForTap(now()).flag).toBe('OK');
  });
});
