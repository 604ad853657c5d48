/**
 * Geofence stop matching for bus taps. Pure: a route is data (from the device configuration),
 * a position is a fix; the answer is the nearest stop whose own radius contains the position.
 */
import { haversineMetres, isValidLatLon, type LatLon } from './geo.js';

export interface Stop {
  /** Stable id used in reports (the carrier's stop code). */
  readonly id: string;
  readonly name?: string;
  readonly lat: number;
  readonly lon: number;
  /** Geofence radius in metres around (lat, lon); > 0. */
  readonly radiusM: number;
}

export interface Route {
  readonly id: string;
  readonly stops: readonly Stop[];
}

export interface StopMatch {
  readonly stopId: string;
  readonly distanceM: number;
}

/** Radii above this are configuration mistakes (a "stop" the size of a district). */
export const MAX_STOP_RADIUS_M = 2_000;

/**
 * The nearest stop of the route whose geofence contains `at`, or null. Where geofences overlap,
 * the nearer centre wins (ties: the earlier stop in route order). Invalid input gives null.
 */
export function matchStop(route: Route | null, at: LatLon): StopMatch | null {
  if (route === null || !isValidLatLon(at)) return null;
  let best: StopMatch | null = null;
  for (const stop of route.stops) {
    const distanceM = haversineMetres(at, stop);
    if (!(distanceM <= stop.radiusM)) continue; // NaN never matches
    if (best === null || distanceM < best.distanceM) best = { stopId: stop.id, distanceM };
  }
  return best;
}

/** Problems with a route, one line each; empty when the route is usable. */
export function validateRoute(route: Route): string[] {
  const problems: string[] = [];
  if (route.id.trim() === '') problems.push('route id is empty');
  if (route.stops.length === 0) problems.push(`route ${route.id}: no stops`);
  const seen = new Set<string>();
  route.stops.forEach((stop, index) => {
    const where = `route ${route.id}, stop #${index + 1} (${stop.id})`;
    if (stop.id.trim() === '') problems.push(`${where}: id is empty`);
    if (seen.has(stop.id)) problems.push(`${where}: duplicate id`);
    seen.add(stop.id);
    if (!isValidLatLon(stop)) problems.push(`${where}: lat must be -90..90 and lon -180..180`);
    if (!Number.isFinite(stop.radiusM) || stop.radiusM <= 0 || stop.radiusM > MAX_STOP_RADIUS_M) {
      problems.push(`${where}: radiusM must be > 0 and <= ${MAX_STOP_RADIUS_M}`);
    }
  });
  return problems;
}
