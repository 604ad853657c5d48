/**
 * GGA (NMEA 0183 v4.11 §6.3 "GGA"): hhmmss.ss, lat, N/S, lon, E/W, quality, satellites in use,
 * HDOP, altitude, M, geoid separation, M, DGPS age, DGPS station id.
 */
import { coordinate, decimal, timeOfDay, unsignedInt } from './fields.js';
import type { Decoded, GgaSentence, Talker } from './types.js';

/** `fields[0]` is the address (e.g. GPGGA). Trailing DGPS fields may be absent. */
export function decodeGga(talker: Talker, fields: readonly string[]): Decoded<GgaSentence> {
  if (fields.length < 10 || fields.length > 15) return { malformed: `GGA has ${fields.length - 1} fields, expected 9-14` };
  const f = (i: number): string => fields[i] ?? '';
  const time = timeOfDay(f(1));
  const lat = coordinate(f(2), f(3), 'lat');
  const lon = coordinate(f(4), f(5), 'lon');
  if (!/^[0-8]$/.test(f(6))) return { malformed: `GGA quality '${f(6)}' is not 0-8` };
  const quality = Number(f(6));
  const satellites = unsignedInt(f(7));
  const hdop = decimal(f(8));
  const altitudeM = decimal(f(9));
  if (time === undefined) return { malformed: 'GGA time' };
  if (lat === undefined || lon === undefined || (lat === null) !== (lon === null)) return { malformed: 'GGA position' };
  if (satellites === undefined) return { malformed: 'GGA satellites' };
  if (hdop === undefined || (hdop !== null && hdop < 0)) return { malformed: 'GGA HDOP' };
  if (altitudeM === undefined) return { malformed: 'GGA altitude' };
  if (quality > 0 && (lat === null || lon === null)) return { malformed: `GGA quality ${quality} without position` };
  return {
    type: 'GGA',
    talker,
    timeOfDayMs: time,
    quality,
    position: lat !== null && lon !== null ? { lat, lon } : null,
    satellites,
    hdop,
    altitudeM,
  };
}
