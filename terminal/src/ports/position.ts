/**
 * Position: where the bus is, for each tap. The NMEA adapter (adapters/nmea) implements it
 * over a GPS receiver; FakePosition is set by tests. Rules shared by both (readingAt):
 * - only a measured fix is a fix: RMC status V, GGA quality 0 (or an estimated/manual/
 *   simulated fix) means `fix: null`, never the last good position;
 * - a fix older than maxAgeMs on MONOTONIC time is `stale`: its values are kept (with ageMs)
 *   but it gets no stop;
 * - stopId is the route's geofence match of a fresh fix, else null.
 */
import { matchStop, type Route } from '../core/stops/stops.js';

export interface Fix {
  readonly lat: number;
  readonly lon: number;
  readonly speedKmh: number;
  readonly courseDeg?: number;
  /** GGA quality: 1 GPS, 2 DGPS, 3 PPS, 4 RTK, 5 float RTK (0 and 6-8 never make a Fix). */
  readonly quality: number;
  readonly satellites?: number;
  readonly hdop?: number;
  /** The receiver's UTC time of the fix (RMC date + time), epoch ms. */
  readonly fixWallMs: number;
}

export interface PositionReading {
  readonly fix: Fix | null;
  /** ms since the fix was received (monotonic); null without a fix. */
  readonly ageMs: number | null;
  readonly stale: boolean;
  readonly stopId: string | null;
}

export interface Position {
  current(nowMonoMs: number): PositionReading;
}

/** What the bus tap path writes on the journal row. */
export interface TapPosition {
  readonly lat: number | null;
  readonly lon: number | null;
  readonly speedKmh: number | null;
  /** 0 when there is no fix. */
  readonly quality: number;
  readonly ageMs: number | null;
  readonly stopId: string | null;
  readonly flag: 'OK' | 'NO_FIX' | 'STALE';
}

/** A 1 Hz receiver that misses three epochs in a row is stale. */
export const DEFAULT_GPS_MAX_AGE_MS = 3_000;

export interface ReceivedFix {
  readonly fix: Fix;
  readonly receivedMonoMs: number;
}

export function readingAt(last: ReceivedFix | null, nowMonoMs: number, maxAgeMs: number, route: Route | null): PositionReading {
  if (last === null) return { fix: null, ageMs: null, stale: false, stopId: null };
  const ageMs = Math.max(0, nowMonoMs - last.receivedMonoMs);
  const stale = ageMs > maxAgeMs;
  const stopId = stale ? null : (matchStop(route, last.fix)?.stopId ?? null);
  return { fix: last.fix, ageMs, stale, stopId };
}

export function positionForTap(reading: PositionReading): TapPosition {
  const { fix } = reading;
  if (fix === null) {
    return { lat: null, lon: null, speedKmh: null, quality: 0, ageMs: null, stopId: null, flag: 'NO_FIX' };
  }
  return {
    lat: fix.lat,
    lon: fix.lon,
    speedKmh: fix.speedKmh,
    quality: fix.quality,
    ageMs: reading.ageMs,
    stopId: reading.stale ? null : reading.stopId,
    flag: reading.stale ? 'STALE' : 'OK',
  };
}

/** In-memory Position for tests: a fix is set at a monotonic instant and ages from there. */
export class FakePosition implements Position {
  private last: ReceivedFix | null = null;

  constructor(
    private readonly maxAgeMs = DEFAULT_GPS_MAX_AGE_MS,
    private route: Route | null = null,
  ) {}

  setFix(fix: Fix, receivedMonoMs: number): void {
    this.last = { fix, receivedMonoMs };
  }

  /** The receiver reported no fix (RMC V / GGA 0) or went silent since boot. */
  clearFix(): void {
    this.last = null;
  }

  setRoute(route: Route | null): void {
    this.route = route;
  }

  current(nowMonoMs: number): PositionReading {
    return readingAt(this.last, nowMonoMs, this.maxAgeMs, this.route);
  }
}
