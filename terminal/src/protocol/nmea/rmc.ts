/**
 * RMC (NMEA 0183 v4.11 §6.3 "RMC"): hhmmss.ss, status, lat, N/S, lon, E/W, speed (knots),
 * course (degrees true), ddmmyy, magnetic variation, E/W, [mode (2.3+)], [nav status (4.1+)].
 */
import { coordinate, decimal, KMH_PER_KNOT, timeOfDay, utcDate } from './fields.js';
import type { Decoded, RmcSentence, Talker } from './types.js';

/** Modes that are a measured fix: autonomous, differential, precise, RTK, float RTK. */
const FIX_MODES = new Set(['A', 'D', 'P', 'R', 'F']);
const ALL_MODES = new Set([...FIX_MODES, 'E', 'M', 'N', 'S']);

/** `fields[0]` is the address (e.g. GNRMC). */
export function decodeRmc(talker: Talker, fields: readonly string[]): Decoded<RmcSentence> {
  if (fields.length < 12 || fields.length > 14) return { malformed: `RMC has ${fields.length - 1} fields, expected 11-13` };
  const f = (i: number): string => fields[i] ?? '';
  const status = f(2);
  if (status !== 'A' && status !== 'V') return { malformed: `RMC status '${status}' is not A or V` };
  const time = timeOfDay(f(1));
  const date = utcDate(f(9));
  const lat = coordinate(f(3), f(4), 'lat');
  const lon = coordinate(f(5), f(6), 'lon');
  const knots = decimal(f(7));
  const course = decimal(f(8));
  if (time === undefined) return { malformed: 'RMC time' };
  if (date === undefined) return { malformed: 'RMC date' };
  if (lat === undefined || lon === undefined || (lat === null) !== (lon === null)) return { malformed: 'RMC position' };
  if (knots === undefined || (knots !== null && knots < 0)) return { malformed: 'RMC speed' };
  if (course === undefined || (course !== null && (course < 0 || course > 360))) return { malformed: 'RMC course' };
  const mode = fields.length >= 13 && f(12) !== '' ? f(12) : null;
  if (mode !== null && !ALL_MODES.has(mode)) return { malformed: `RMC mode '${mode}'` };
  const valid = status === 'A' && (mode === null || FIX_MODES.has(mode));
  if (valid && (lat === null || lon === null || knots === null || time === null || date === null)) {
    return { malformed: 'RMC status A without position, speed, time or date' };
  }
  return {
    type: 'RMC',
    talker,
    timeOfDayMs: time,
    utcMs: time !== null && date !== null ? date + time : null,
    valid,
    status,
    mode,
    position: lat !== null && lon !== null ? { lat, lon } : null,
    speedKmh: knots === null ? null : knots * KMH_PER_KNOT,
    courseDeg: course,
  };
}
