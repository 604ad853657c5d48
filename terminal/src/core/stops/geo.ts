/**
 * Great-circle distance on a spherical Earth (haversine). Pure. The sphere's error against the
 * WGS-84 ellipsoid is under 0.5 %, far below a stop radius (tens of metres).
 */

/** Decimal degrees, WGS-84: lat -90..90 (north positive), lon -180..180 (east positive). */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** IUGG mean Earth radius R1, metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/**
 * Distance in metres between two points. The haversine term is clamped to [0, 1] so rounding
 * near antipodes or across the antimeridian can never give NaN; non-finite input gives NaN
 * (callers validate coordinates first: see validateRoute).
 */
export function haversineMetres(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  const h = Math.min(1, Math.max(0, s));
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

export function isValidLatLon(p: LatLon): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
}
