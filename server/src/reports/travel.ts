/**
 * "Impossible travel", pure: the same card token on two different vehicles too far apart in too
 * short a time. Fed one token's bus taps in time order; each tap is compared with that token's
 * earlier taps still inside the window:
 *
 * - both taps with a position (lat and lon): different vehicles within `minutes` and farther
 *   apart than `km` (great-circle distance);
 * - otherwise (a position missing on either): different vehicles on different routes within
 *   `routeMinutes` (a transfer between routes takes longer than that).
 *
 * The vehicle is context.vehicleId, or the device id when the validator has none. Window bound:
 * the newest MAX_WINDOW taps of the token (a card tapped more often than that within the window
 * is flagged many times already).
 */
import type { TravelParams } from './report-query.js';

export interface TravelTap {
  readonly token: string;
  readonly panMasked: string;
  readonly wallMs: number;
  readonly deviceId: string;
  readonly seq: number;
  readonly vehicle: string;
  readonly route: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

export interface TravelPair {
  readonly first: TravelTap;
  readonly second: TravelTap;
  readonly minutesApart: number;
  /** null when a position was missing (the pair was judged on routes). */
  readonly distanceKm: number | null;
}

const MAX_WINDOW = 100;
const EARTH_RADIUS_KM = 6371.0088;

export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function judgePair(first: TravelTap, second: TravelTap, p: TravelParams): TravelPair | null {
  if (first.vehicle === second.vehicle) return null;
  const dtMs = second.wallMs - first.wallMs;
  const minutesApart = dtMs / 60_000;
  if (first.lat !== null && first.lon !== null && second.lat !== null && second.lon !== null) {
    const km = distanceKm(first.lat, first.lon, second.lat, second.lon);
    return dtMs <= p.minutes * 60_000 && km > p.km ? { first, second, minutesApart, distanceKm: km } : null;
  }
  return dtMs <= p.routeMinutes * 60_000 && first.route !== second.route ? { first, second, minutesApart, distanceKm: null } : null;
}

/** Feed taps ordered by token, then time; returns the flagged pairs ending at each tap. */
export class TravelDetector {
  private token: string | null = null;
  private window: TravelTap[] = [];
  private readonly spanMs: number;

  constructor(private readonly params: TravelParams) {
    this.spanMs = Math.max(params.minutes, params.routeMinutes) * 60_000;
  }

  push(tap: TravelTap): TravelPair[] {
    if (tap.token !== this.token) {
      this.token = tap.token;
      this.window = [];
    }
    this.window = this.window.filter((t) => tap.wallMs - t.wallMs <= this.spanMs).slice(-(MAX_WINDOW - 1));
    const pairs = this.window.map((t) => judgePair(t, tap, this.params)).filter((x): x is TravelPair => x !== null);
    this.window.push(tap);
    return pairs;
  }
}
