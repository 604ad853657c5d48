import { expect, it } from 'vitest';
import { distanceKm, TravelDetector, type TravelTap } from './travel.js';

const tap = (over: Partial<TravelTap>): TravelTap => ({
  token: 't', panMasked: '220000******0001', wallMs: 0, deviceId: 'd1', seq: 1, vehicle: 'v1', route: 'r1', lat: null, lon: null, ...over,
});
const params = { minutes: 10, km: 10, routeMinutes: 3 };

it('great-circle distance: one degree of latitude is about 111 km', () => {
  expect(distanceKm(55, 37, 56, 37)).toBeCloseTo(111.2, 0);
});

it('two vehicles far apart within the window are flagged; the same vehicle, a slow pace or another card are not', () => {
  const d = new TravelDetector(params);
  expect(d.push(tap({ lat: 55.75, lon: 37.62 }))).toEqual([]);
  expect(d.push(tap({ wallMs: 60_000, vehicle: 'v1', lat: 56.5, lon: 37.62 }))).toEqual([]); // same vehicle
  expect(d.push(tap({ wallMs: 5 * 60_000, vehicle: 'v2', lat: 55.76, lon: 37.63, seq: 3 }))).toHaveLength(1); // near the first, far from the second
  expect(d.push(tap({ token: 'u', wallMs: 5 * 60_000, vehicle: 'v9', lat: 60, lon: 30 }))).toEqual([]); // another card: a new window
});

it('without positions, different routes count only within the shorter route window', () => {
  const d = new TravelDetector(params);
  d.push(tap({}));
  expect(d.push(tap({ wallMs: 4 * 60_000, vehicle: 'v2', route: 'r2' }))).toEqual([]);
  const d2 = new TravelDetector(params);
  d2.push(tap({}));
  const [pair] = d2.push(tap({ wallMs: 2 * 60_000, vehicle: 'v2', route: 'r2' }));
  expect(pair).toMatchObject({ minutesApart: 2, distanceKm: null });
  expect(d2.push(tap({ wallMs: 2.5 * 60_000, vehicle: 'v3', route: 'r1', seq: 9 })).map((p) => p.first.vehicle)).toEqual(['v2']); // same route as v1: only the r2 tap
});
