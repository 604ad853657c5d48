/**
 * A route file for `rescard-sim gps --route FILE`: JSON with the stops a bus drives through.
 * The same file can serve as the terminal's route (id, stops with lat/lon/radiusM); the sim
 * ignores radiusM and reads the driving fields (speedKmh, dwellS), per stop or route-wide.
 *
 *   { "id": "12", "speedKmh": 30, "dwellS": 15,
 *     "stops": [{ "id": "s1", "name": "Школа", "lat": 55.7512, "lon": 37.6184, "radiusM": 40 }, ...] }
 */
import { readFile } from 'node:fs/promises';
import { RescardError } from '@rescard/shared';

export interface SimStop {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
  /** Speed driving away from this stop towards the next. */
  readonly speedKmh: number;
  /** Time standing at this stop (speed 0). */
  readonly dwellS: number;
}

export interface SimRoute {
  readonly id: string;
  readonly stops: readonly SimStop[];
}

const DEFAULT_SPEED_KMH = 30;
const DEFAULT_DWELL_S = 10;

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new RescardError('CONFIG_INVALID', `route file: ${message}`);
}

function num(obj: Json, key: string, fallback: number | undefined, min: number, max: number, where: string): number {
  const value = obj[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(`${where}: ${key} must be a number from ${min} to ${max}`);
  }
  return value;
}

export function parseSimRoute(text: string): SimRoute {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    fail(`not JSON (${(err as Error).message})`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) fail('expected an object');
  const r = root as Json;
  const id = typeof r['id'] === 'string' && r['id'] !== '' ? r['id'] : fail('id must be a non-empty string');
  const speed = num(r, 'speedKmh', DEFAULT_SPEED_KMH, 0.1, 200, 'route');
  const dwell = num(r, 'dwellS', DEFAULT_DWELL_S, 0, 3600, 'route');
  const raw = r['stops'];
  if (!Array.isArray(raw) || raw.length < 2) fail('stops must be an array of at least 2 stops');
  const stops = raw.map((s: unknown, i): SimStop => {
    const where = `stop #${i + 1}`;
    if (typeof s !== 'object' || s === null) fail(`${where}: expected an object`);
    const o = s as Json;
    const stopId = typeof o['id'] === 'string' && o['id'] !== '' ? o['id'] : fail(`${where}: id must be a non-empty string`);
    return {
      id: stopId,
      lat: num(o, 'lat', undefined, -90, 90, where),
      lon: num(o, 'lon', undefined, -180, 180, where),
      speedKmh: num(o, 'speedKmh', speed, 0.1, 200, where),
      dwellS: num(o, 'dwellS', dwell, 0, 3600, where),
    };
  });
  return { id, stops };
}

export async function readSimRoute(path: string): Promise<SimRoute> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `route file ${path} cannot be read: ${(err as Error).message}`);
  }
  return parseSimRoute(text);
}
