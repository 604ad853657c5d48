/**
 * Report periods and local days in the programme's time zone (IANA name, default Europe/Moscow).
 * Pure: no clock reads. A period is whole local days `from`..`to` (inclusive), as the half-open
 * UTC interval [startMs, endMs) between the local midnights, so a ride at 00:30 Moscow time on
 * 1 November counts in November although it is still 31 October in UTC.
 *
 * LocalClock turns epoch ms into local dates and ISO times. Zone offsets come from Intl and are
 * cached per 15-minute UTC slot (every real zone changes its offset on a quarter hour). Bound:
 * 50 000 slots (about 17 months of distinct slots); when full the cache is cleared, a pure cost.
 */
import { RescardError } from '@rescard/shared';

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';
const SLOT_MS = 15 * 60_000;
const MAX_CACHED_SLOTS = 50_000;
const DAY_MS = 86_400_000;

export interface Period {
  /** Local dates YYYY-MM-DD, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly zone: string;
  /** Local midnight starting `from`, epoch ms. */
  readonly startMs: number;
  /** Local midnight after `to`, epoch ms (exclusive). */
  readonly endMs: number;
}

/** A valid calendar date YYYY-MM-DD (years 1970-9999) as [y, m, d], else null. */
export function parseLocalDate(text: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? [y, mo, d] : null;
}

/** Throws CONFIG_INVALID for a name Intl does not know. */
export function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new RescardError('CONFIG_INVALID', `unknown time zone "${zone}" (an IANA name such as Europe/Moscow)`, { timeZone: zone });
  }
}

export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly zone: string = DEFAULT_TIME_ZONE) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: checkTimeZone(zone), timeZoneName: 'longOffset' });
  }

  /** The zone's offset from UTC at `ms`, in minutes (Moscow: 180). */
  offsetMinutes(ms: number): number {
    const slot = Math.floor(ms / SLOT_MS);
    const cached = this.offsets.get(slot);
    if (cached !== undefined) return cached;
    const name = this.format.formatToParts(new Date(slot * SLOT_MS)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
    const offset = m === null || m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    if (this.offsets.size >= MAX_CACHED_SLOTS) this.offsets.clear();
    this.offsets.set(slot, offset);
    return offset;
  }

  private shifted(ms: number): string {
    return new Date(Math.floor(ms) + this.offsetMinutes(ms) * 60_000).toISOString();
  }

  /** Local date YYYY-MM-DD. */
  day(ms: number): string {
    return this.shifted(ms).slice(0, 10);
  }

  /** Local time HH:MM:SS. */
  time(ms: number): string {
    return this.shifted(ms).slice(11, 19);
  }

  /** Local ISO 8601 with milliseconds and offset: 2026-11-01T00:30:00.000+03:00. */
  iso(ms: number): string {
    const offset = this.offsetMinutes(ms);
    const abs = Math.abs(offset);
    const sign = offset < 0 ? '-' : '+';
    return `${this.shifted(ms).slice(0, 23)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }

  /** Epoch ms of the local midnight starting `date` (YYYY-MM-DD, already valid). */
  midnightMs(date: string): number {
    const [y, m, d] = parseLocalDate(date) ?? [1970, 1, 1];
    const utc = Date.UTC(y, m - 1, d);
    // The offset at the guess, then at the corrected instant (enough for any real zone).
    let ms = utc - this.offsetMinutes(utc) * 60_000;
    ms = utc - this.offsetMinutes(ms) * 60_000;
    return ms;
  }

  /** The period from..to (local dates, inclusive). Throws REQUEST_INVALID for bad dates. */
  period(from: string, to: string): Period {
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (parseLocalDate(value) === null) throw new RescardError('REQUEST_INVALID', `${name}=${value} is not a calendar date YYYY-MM-DD`, { [name]: value });
    }
    if (from > to) throw new RescardError('REQUEST_INVALID', `from=${from} is after to=${to}`, { from, to });
    const next = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    return { from, to, zone: this.zone, startMs: this.midnightMs(from), endMs: this.midnightMs(next) };
  }
}
