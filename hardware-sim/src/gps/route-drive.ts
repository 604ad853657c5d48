/**
 * Drive along a SimRoute: one GpsSample every 1/rateHz seconds of simulated time. Pure.
 * At each stop the bus stands (speed 0) for the stop's dwellS, then drives to the next stop in
 * a straight line (linear in lat/lon: exact at the stops, and the segments are city-short) at
 * the stop's speedKmh. The last sample of a lap is always at the last stop.
 */
import type { GpsSample } from './nmea-encode.js';
import type { SimRoute, SimStop } from './sim-route.js';

export interface DriveOptions {
  readonly rateHz: number;
  /** UTC of simulated time 0. */
  readonly startWallMs: number;
  /** Simulated time of the first sample (later laps of a loop start where the last ended). */
  readonly offsetMs?: number;
}

export interface TimedSample {
  /** Simulated ms since the feed started. */
  readonly atMs: number;
  readonly sample: GpsSample;
}

interface Phase {
  readonly endMs: number;
  readonly from: SimStop;
  readonly to: SimStop;
  readonly moving: boolean;
  readonly startMs: number;
  readonly courseDeg: number;
}

const RAD = Math.PI / 180;
const EARTH_RADIUS_M = 6_371_008.8;

/** Anything with decimal-degree lat/lon (a stop, a sample). */
export interface Point {
  readonly lat: number;
  readonly lon: number;
}

export function distanceM(a: Point, b: Point): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** Initial great-circle bearing from a to b, degrees 0..<360. */
export function bearingDeg(a: Point, b: Point): number {
  const y = Math.sin((b.lon - a.lon) * RAD) * Math.cos(b.lat * RAD);
  const x = Math.cos(a.lat * RAD) * Math.sin(b.lat * RAD) - Math.sin(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.cos((b.lon - a.lon) * RAD);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

function phases(route: SimRoute): Phase[] {
  const out: Phase[] = [];
  let t = 0;
  route.stops.forEach((stop, i) => {
    const next = route.stops[i + 1];
    const courseDeg = next ? bearingDeg(stop, next) : (out.at(-1)?.courseDeg ?? 0);
    out.push({ startMs: t, endMs: t + stop.dwellS * 1000, from: stop, to: stop, moving: false, courseDeg });
    t += stop.dwellS * 1000;
    if (next) {
      const durationMs = (distanceM(stop, next) / (stop.speedKmh / 3.6)) * 1000;
      out.push({ startMs: t, endMs: t + durationMs, from: stop, to: next, moving: true, courseDeg });
      t += durationMs;
    }
  });
  return out;
}

export function* driveRoute(route: SimRoute, options: DriveOptions): Generator<TimedSample> {
  const stepMs = 1000 / options.rateHz;
  const offsetMs = options.offsetMs ?? 0;
  const all = phases(route);
  const last = all.at(-1);
  if (!last) return;
  let k = 0;
  let p = 0;
  for (; k * stepMs < last.endMs; k += 1) {
    const t = k * stepMs;
    while (p < all.length - 1 && t >= (all[p]?.endMs ?? 0)) p += 1;
    const phase = all[p] ?? last;
    const f = phase.moving ? (t - phase.startMs) / (phase.endMs - phase.startMs) : 0;
    yield timed(offsetMs + t, options.startWallMs, phase, f);
  }
  yield timed(offsetMs + k * stepMs, options.startWallMs, last, 0); // the lap ends standing at the last stop
}

function timed(atMs: number, startWallMs: number, phase: Phase, f: number): TimedSample {
  const { from, to } = phase;
  return {
    atMs,
    sample: {
      wallMs: startWallMs + Math.round(atMs),
      lat: from.lat + (to.lat - from.lat) * f,
      lon: from.lon + (to.lon - from.lon) * f,
      speedKmh: phase.moving ? from.speedKmh : 0,
      courseDeg: phase.courseDeg,
      quality: 1,
      satellites: 9,
      hdop: 0.9,
      altitudeM: 150,
    },
  };
}
