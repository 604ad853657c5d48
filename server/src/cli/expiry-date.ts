/**
 * `--expires`: an ISO 8601 date-time is sent as given; a plain date (YYYY-MM-DD) means the start
 * of that day on the operator's clock (the entry stops applying from that day). Pure: the time
 * zone offset comes in (minutes east of UTC, as the local clock has it on that date).
 */
import { usageError } from './cli-error.js';

export function expiryOf(value: string, offsetMinutesAt: (y: number, m: number, d: number) => number): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    if (Number.isNaN(Date.parse(value))) throw usageError(`--expires: "${value.slice(0, 40)}" is not a date-time`);
    return value;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m === null) throw usageError('--expires: give a date (2025-10-01) or a date-time (2025-10-01T00:00:00+03:00)');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) throw usageError(`--expires: ${value} is not a calendar date`);
  const off = offsetMinutesAt(y, mo, d);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${value}T00:00:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The local clock's offset at local midnight of that date (for the real process). */
export function localOffsetMinutes(y: number, m: number, d: number): number {
  return -new Date(y, m - 1, d).getTimezoneOffset();
}
