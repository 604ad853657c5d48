/** driveRoute and the route file: where the simulated bus is, sample by sample. */
import { describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { bearingDeg, distanceM, driveRoute } from './route-drive.js';
import { parseSimRoute, type SimRoute } from './sim-route.js';

const route: SimRoute = parseSimRoute(
  JSON.stringify({
    id: '12',
    speedKmh: 36,
    dwellS: 2,
    stops: [
      { id: 's1', lat: 55.75, lon: 37.6 },
      { id: 's2', lat: 55.7509, lon: 37.6, speedKmh: 18 }, // ~100 m north
      { id: 's3', lat: 55.7509, lon: 37.6016, dwellS: 0, radiusM: 30 }, // ~100 m east
    ],
  }),
);

describe('driveRoute', () => {
  const samples = [...driveRoute(route, { rateHz: 2, startWallMs: 1_000_000 })];

  it('dwells at the first stop, drives, and ends standing at the last stop', () => {
    expect(samples[0]!.sample).toMatchObject({ lat: 55.75, lon: 37.6, speedKmh: 0 });
    expect(samples.slice(0, 4).every((s) => s.sample.speedKmh === 0)).toBe(true); // 2 s at 2 Hz
    expect(samples[4]!.sample.speedKmh).toBe(36);
    expect(samples.at(-1)!.sample).toMatchObject({ lat: 55.7509, lon: 37.6016, speedKmh: 0 });
  });

  it('time advances by 1/rateHz and the wall time follows it', () => {
    samples.forEach((s, i) => {
      expect(s.atMs).toBe(i * 500);
      expect(s.sample.wallMs).toBe(1_000_000 + i * 500);
    });
  });

  it('moves speed × dt between samples while driving, and heads north then east', () => {
    const moving = samples.filter((s) => s.sample.speedKmh === 36);
    for (let i = 1; i < moving.length; i += 1) {
      const step = distanceM(moving[i - 1]!.sample, moving[i]!.sample);
      expect(step).toBeCloseTo(5, 1); // 36 km/h = 10 m/s, 0.5 s
    }
    expect(moving[0]!.sample.courseDeg).toBeCloseTo(0, 3);
    expect(samples.find((s) => s.sample.speedKmh === 18)!.sample.courseDeg).toBeCloseTo(90, 1);
    const ns = distanceM(route.stops[0]!, route.stops[1]!);
    expect(ns).toBeGreaterThan(99);
    expect(ns).toBeLessThan(101);
    expect(bearingDeg(route.stops[1]!, route.stops[0]!)).toBeCloseTo(180, 3);
  });

  it('a later lap starts at its offset', () => {
    const lap = [...driveRoute(route, { rateHz: 2, startWallMs: 0, offsetMs: 60_000 })];
    expect(lap[0]!.atMs).toBe(60_000);
    expect(lap[0]!.sample.wallMs).toBe(60_000);
  });
});

describe('parseSimRoute', () => {
  it.each([
    ['not JSON', '{'],
    ['one stop', '{"id":"r","stops":[{"id":"a","lat":1,"lon":1}]}'],
    ['latitude 91', '{"id":"r","stops":[{"id":"a","lat":91,"lon":1},{"id":"b","lat":1,"lon":1}]}'],
    ['speed 0', '{"id":"r","speedKmh":0,"stops":[{"id":"a","lat":1,"lon":1},{"id":"b","lat":1,"lon":1}]}'],
    ['no id', '{"stops":[]}'],
    ['a stop without id', '{"id":"r","stops":[{"lat":1,"lon":1},{"id":"b","lat":1,"lon":1}]}'],
  ])('%s is CONFIG_INVALID', (_name, text) => {
    let error: unknown;
    try {
      parseSimRoute(text);
    } catch (err) {
      error = err;
    }
    expect(isRescardError(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('fills speed and dwell from the route, then the defaults', () => {
    expect(route.stops.map((s) => [s.speedKmh, s.dwellS])).toEqual([[36, 2], [18, 2], [36, 0]]);
    const r = parseSimRoute('{"id":"r","stops":[{"id":"a","lat":1,"lon":1},{"id":"b","lat":1,"lon":1.001}]}');
    expect(r.stops[0]).toMatchObject({ speedKmh: 30, dwellS: 10 });
  });
});
