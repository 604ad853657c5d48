/** Geofence stop matching and the haversine distance it rests on. */
import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M, haversineMetres } from './geo.js';
import { matchStop, validateRoute, type Route, type Stop } from './stops.js';

/** A point `north` metres north and `east` metres east of (lat, lon); small offsets only. */
function offset(lat: number, lon: number, north: number, east: number): { lat: number; lon: number } {
  const mPerDegLat = (Math.PI * EARTH_RADIUS_M) / 180;
  return { lat: lat + north / mPerDegLat, lon: lon + east / (mPerDegLat * Math.cos((lat * Math.PI) / 180)) };
}

const A: Stop = { id: 'A', lat: 55.7512, lon: 37.6184, radiusM: 40 };
const B: Stop = { id: 'B', ...offset(A.lat, A.lon, 0, 50), radiusM: 40 }; // geofences overlap between 10 and 40 m east of A
const route: Route = { id: '12', stops: [A, B] };

describe('haversineMetres', () => {
  it('one degree of latitude is πR/180 (about 111.2 km); zero for the same point', () => {
    expect(haversineMetres({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo((Math.PI * EARTH_RADIUS_M) / 180, 6);
    expect(haversineMetres(A, A)).toBe(0);
  });

  it('Moscow (Kremlin) to Saint Petersburg (Palace Square) is about 634 km', () => {
    const d = haversineMetres({ lat: 55.752, lon: 37.6175 }, { lat: 59.9391, lon: 30.3159 });
    expect(d / 1000).toBeGreaterThan(630);
    expect(d / 1000).toBeLessThan(637);
  });

  it('is finite across the antimeridian, at the poles and between antipodes', () => {
    const across = haversineMetres({ lat: 0, lon: 179.9999 }, { lat: 0, lon: -179.9999 });
    expect(across).toBeCloseTo(22.24, 1);
    expect(Number.isFinite(haversineMetres({ lat: 90, lon: 0 }, { lat: 90, lon: 123 }))).toBe(true);
    // Antipodes: half the circumference; haversine loses a little precision there (asin near 1).
    expect(Math.abs(haversineMetres({ lat: 10, lon: 20 }, { lat: -10, lon: -160 }) - Math.PI * EARTH_RADIUS_M)).toBeLessThan(1);
  });
});

describe('matchStop', () => {
  it('inside the radius matches, just outside does not', () => {
    expect(matchStop(route, offset(A.lat, A.lon, 39, 0))).toMatchObject({ stopId: 'A' });
    expect(matchStop(route, offset(A.lat, A.lon, 41, 0))).toBeNull();
    expect(matchStop(route, offset(A.lat, A.lon, 0, -41))).toBeNull();
  });

  it('where two geofences overlap, the nearer stop wins', () => {
    expect(matchStop(route, offset(A.lat, A.lon, 0, 20))).toMatchObject({ stopId: 'A' });
    expect(matchStop(route, offset(A.lat, A.lon, 0, 30))).toMatchObject({ stopId: 'B' });
    const m = matchStop(route, offset(A.lat, A.lon, 0, 30))!;
    expect(m.distanceM).toBeCloseTo(20, 1);
  });

  it('each stop keeps its own radius: a big geofence does not steal a point inside a small one', () => {
    const big: Stop = { id: 'depot', ...offset(A.lat, A.lon, 0, 100), radiusM: 200 };
    const r: Route = { id: 'x', stops: [big, { ...A, radiusM: 15 }] };
    expect(matchStop(r, offset(A.lat, A.lon, 0, 10))).toMatchObject({ stopId: 'A' });
    expect(matchStop(r, offset(A.lat, A.lon, 0, -20))).toMatchObject({ stopId: 'depot' });
  });

  it('stops on both sides of the antimeridian: no NaN, the right one', () => {
    const r: Route = { id: 'chukotka', stops: [{ id: 'E', lat: 65, lon: 179.9995, radiusM: 50 }, { id: 'W', lat: 65, lon: -179.9995, radiusM: 50 }] };
    expect(matchStop(r, { lat: 65, lon: -179.9997 })).toMatchObject({ stopId: 'W' });
    expect(matchStop(r, { lat: 65, lon: 179.9999 })).toMatchObject({ stopId: 'E' });
  });

  it('no route, an empty route, or a non-finite / out-of-range point gives null', () => {
    expect(matchStop(null, A)).toBeNull();
    expect(matchStop({ id: 'e', stops: [] }, A)).toBeNull();
    expect(matchStop(route, { lat: Number.NaN, lon: A.lon })).toBeNull();
    expect(matchStop(route, { lat: 91, lon: 0 })).toBeNull();
  });
});

describe('validateRoute', () => {
  it('accepts a usable route and names every problem of a bad one', () => {
    expect(validateRoute(route)).toEqual([]);
    const problems = validateRoute({
      id: 'bad',
      stops: [A, { ...A }, { id: '', lat: 95, lon: 0, radiusM: 0 }, { id: 'far', lat: 0, lon: 0, radiusM: 5000 }],
    });
    expect(problems).toEqual([
      'route bad, stop #2 (A): duplicate id',
      'route bad, stop #3 (): id is empty',
      'route bad, stop #3 (): lat must be -90..90 and lon -180..180',
      'route bad, stop #3 (): radiusM must be > 0 and <= 2000',
      'route bad, stop #4 (far): radiusM must be > 0 and <= 2000',
    ]);
    expect(validateRoute({ id: ' ', stops: [] })).toEqual(['route id is empty', 'route  : no stops']);
  });
});
