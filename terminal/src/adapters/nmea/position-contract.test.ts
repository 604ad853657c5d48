/**
 * The Position contract, run against FakePosition and NmeaPosition (driven with the simulated
 * receiver's sentences): both flag no fix, age and staleness, and stops the same way.
 */
import { describe, expect, it } from 'vitest';
import { ggaSentence, rmcSentence, type GpsSample } from '@rescard/hardware-sim';
import type { Route } from '../../core/stops/stops.js';
import { FakeClock } from '../../ports/clock.js';
import { FakePosition, positionForTap, type Position } from '../../ports/position.js';
import { NmeaPosition } from './nmea-position.js';

const MAX_AGE_MS = 2000;
const ROUTE: Route = { id: '7', stops: [{ id: 'school', lat: 55.7512, lon: 37.6184, radiusM: 40 }] };
const AT_SCHOOL: GpsSample = {
  wallMs: Date.UTC(2026, 8, 1, 7, 30),
  lat: 55.7512,
  lon: 37.6184,
  speedKmh: 12.5,
  courseDeg: 180,
  quality: 1,
  satellites: 9,
  hdop: 0.9,
  altitudeM: 150,
};

interface Driver {
  readonly position: Position;
  /** The receiver reports this fix at monotonic time t. */
  fix(sample: GpsSample, t: number): void;
  /** The receiver reports that it has no fix at monotonic time t. */
  lose(t: number): void;
}

function fakeDriver(): Driver {
  const position = new FakePosition(MAX_AGE_MS, ROUTE);
  return {
    position,
    fix: (s, t) => position.setFix({ lat: s.lat, lon: s.lon, speedKmh: s.speedKmh, courseDeg: s.courseDeg, quality: s.quality, satellites: s.satellites, hdop: s.hdop, fixWallMs: s.wallMs }, t),
    lose: () => position.clearFix(),
  };
}

function nmeaDriver(): Driver {
  const clock = new FakeClock(0, 0);
  const position = new NmeaPosition({ clock, maxAgeMs: MAX_AGE_MS, route: ROUTE });
  const send = (s: GpsSample, t: number): void => {
    clock.advance(t - clock.monoMs());
    position.feed(Buffer.from(`${rmcSentence(s)}\r\n${ggaSentence(s)}\r\n`, 'latin1'));
  };
  return { position, fix: send, lose: (t) => send({ ...AT_SCHOOL, wallMs: AT_SCHOOL.wallMs + t, quality: 0 }, t) };
}

describe.each([
  ['FakePosition', fakeDriver],
  ['NmeaPosition', nmeaDriver],
])('Position contract: %s', (_name, make) => {
  it('before any fix: NO_FIX', () => {
    const { position } = make();
    expect(position.current(0)).toEqual({ fix: null, ageMs: null, stale: false, stopId: null });
    expect(positionForTap(position.current(0))).toEqual({ lat: null, lon: null, speedKmh: null, quality: 0, ageMs: null, stopId: null, flag: 'NO_FIX' });
  });

  it('a fix at a stop: its values, its age, the stop id; OK until maxAgeMs, then STALE', () => {
    const d = make();
    d.fix(AT_SCHOOL, 1000);
    const r = d.position.current(1500);
    expect(r).toMatchObject({ ageMs: 500, stale: false, stopId: 'school' });
    expect(r.fix).toMatchObject({ quality: 1, satellites: 9, hdop: 0.9, fixWallMs: AT_SCHOOL.wallMs, courseDeg: 180 });
    expect(r.fix!.lat).toBeCloseTo(AT_SCHOOL.lat, 6);
    expect(r.fix!.speedKmh).toBeCloseTo(12.5, 2);
    expect(positionForTap(d.position.current(1000 + MAX_AGE_MS)).flag).toBe('OK');
    expect(positionForTap(d.position.current(1001 + MAX_AGE_MS))).toMatchObject({ flag: 'STALE', stopId: null, ageMs: MAX_AGE_MS + 1 });
  });

  it('away from every stop: OK with no stop id', () => {
    const d = make();
    d.fix({ ...AT_SCHOOL, lat: AT_SCHOOL.lat + 0.001 }, 0); // ~111 m north
    expect(positionForTap(d.position.current(0))).toMatchObject({ flag: 'OK', stopId: null });
  });

  it('the receiver loses its fix: NO_FIX at once, then a new fix is fresh', () => {
    const d = make();
    d.fix(AT_SCHOOL, 0);
    d.lose(1000);
    expect(positionForTap(d.position.current(1000)).flag).toBe('NO_FIX');
    d.fix({ ...AT_SCHOOL, wallMs: AT_SCHOOL.wallMs + 2000 }, 2000);
    expect(positionForTap(d.position.current(2100))).toMatchObject({ flag: 'OK', ageMs: 100, stopId: 'school' });
  });
});
