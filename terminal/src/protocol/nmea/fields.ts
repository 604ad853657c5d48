/**
 * Field decoders shared by RMC and GGA. Each returns the value, null for an empty field, or
 * undefined when the field is present but not well-formed (the sentence is then malformed).
 * Strict on purpose: Number('') is 0 and Number('1e3') is 1000, neither is NMEA.
 */

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;
const LAT = /^(\d{2})(\d{2}(?:\.\d+)?)$/;
const LON = /^(\d{3})(\d{2}(?:\.\d+)?)$/;
const TIME = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/;
const DATE = /^(\d{2})(\d{2})(\d{2})$/;

export function decimal(field: string): number | null | undefined {
  if (field === '') return null;
  return DECIMAL.test(field) ? Number(field) : undefined;
}

export function unsignedInt(field: string): number | null | undefined {
  if (field === '') return null;
  return /^\d{1,3}$/.test(field) ? Number(field) : undefined;
}

/**
 * ddmm.mmmm + N/S, or dddmm.mmmm + E/W, to signed decimal degrees. Both fields empty → null.
 * Minutes must be below 60 and the result within ±90 / ±180.
 */
export function coordinate(value: string, hemisphere: string, axis: 'lat' | 'lon'): number | null | undefined {
  if (value === '' && hemisphere === '') return null;
  const match = (axis === 'lat' ? LAT : LON).exec(value);
  const [positive, negative] = axis === 'lat' ? ['N', 'S'] : ['E', 'W'];
  if (!match || (hemisphere !== positive && hemisphere !== negative)) return undefined;
  const degrees = Number(match[1]);
  const minutes = Number(match[2]);
  const limit = axis === 'lat' ? 90 : 180;
  const result = degrees + minutes / 60;
  if (minutes >= 60 || result > limit) return undefined;
  return hemisphere === negative ? -result : result;
}

/** hhmmss[.sss] UTC → milliseconds since midnight UTC (a leap second 60 is accepted). */
export function timeOfDay(field: string): number | null | undefined {
  if (field === '') return null;
  const match = TIME.exec(field);
  if (!match) return undefined;
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (h > 23 || m > 59 || s >= 61) return undefined;
  return Math.round(((h * 60 + m) * 60 + s) * 1000);
}

/** ddmmyy → epoch ms of that UTC midnight. Two-digit years: 80-99 → 19xx, 00-79 → 20xx. */
export function utcDate(field: string): number | null | undefined {
  if (field === '') return null;
  const match = DATE.exec(field);
  if (!match) return undefined;
  const [d, mo, yy] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  const ms = Date.UTC(year, mo - 1, d);
  const check = new Date(ms);
  if (mo < 1 || check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined;
  return ms;
}

/** Knots (speed over ground) to km/h: 1 knot = 1.852 km/h exactly. */
export const KMH_PER_KNOT = 1.852;
