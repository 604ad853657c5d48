/**
 * Local calendar arithmetic from wall-clock ms and a fixed UTC offset (Russia has no DST since
 * 2014, so a device's offset is constant). Pure: `new Date(ms)` is only used as a calendar on a
 * given instant, never to read the clock.
 *
 * Period keys (the same strings the server writes into `attrs.usedPeriod`):
 *   day   'YYYY-MM-DD'
 *   week  'YYYY-Www'  (ISO 8601 week: weeks start on Monday, week 1 holds the year's first Thursday)
 *   month 'YYYY-MM'   (a new month starts on the 1st at local midnight; nothing carries over)
 */

export type PeriodKind = 'day' | 'week' | 'month';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

export interface LocalTime {
  /** Local date YYYY-MM-DD. */
  readonly date: string;
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  /** ISO weekday: 1 = Monday .. 7 = Sunday. */
  readonly weekday: number;
  /** Minutes since local midnight, 0..1439. */
  readonly minuteOfDay: number;
  /** Whole local days since 1970-01-01 (local). */
  readonly dayNumber: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function offsetMs(utcOffsetMinutes: number): number {
  return utcOffsetMinutes * MS_PER_MINUTE;
}

/** The wall ms of local midnight starting local day `dayNumber`. */
function dayStartMs(dayNumber: number, utcOffsetMinutes: number): number {
  return dayNumber * MS_PER_DAY - offsetMs(utcOffsetMinutes);
}

function civil(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function localTime(wallMs: number, utcOffsetMinutes: number): LocalTime {
  const localMs = wallMs + offsetMs(utcOffsetMinutes);
  const dayNumber = Math.floor(localMs / MS_PER_DAY);
  const minuteOfDay = Math.floor((localMs - dayNumber * MS_PER_DAY) / MS_PER_MINUTE);
  const { year, month, day } = civil(dayNumber);
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const weekday = (((dayNumber + 3) % 7) + 7) % 7 + 1;
  return { date: `${year}-${pad(month)}-${pad(day)}`, year, month, day, weekday, minuteOfDay, dayNumber };
}

/** Local date YYYY-MM-DD of an instant. */
export function localDate(wallMs: number, utcOffsetMinutes: number): string {
  return localTime(wallMs, utcOffsetMinutes).date;
}

function isoWeek(lt: LocalTime): { weekYear: number; week: number; mondayDay: number } {
  const mondayDay = lt.dayNumber - (lt.weekday - 1);
  const thursday = civil(mondayDay + 3);
  const jan1Day = Date.UTC(thursday.year, 0, 1) / MS_PER_DAY;
  const week = Math.floor((mondayDay + 3 - jan1Day) / 7) + 1;
  return { weekYear: thursday.year, week, mondayDay };
}

/** The key of the period containing `wallMs`, e.g. '2025-03' for a month. */
export function periodKey(kind: PeriodKind, wallMs: number, utcOffsetMinutes: number): string {
  const lt = localTime(wallMs, utcOffsetMinutes);
  switch (kind) {
    case 'day':
      return lt.date;
    case 'week': {
      const { weekYear, week } = isoWeek(lt);
      return `${weekYear}-W${pad(week)}`;
    }
    case 'month':
      return `${lt.year}-${pad(lt.month)}`;
  }
}

/** Wall ms of the local start (midnight) of the period containing `wallMs`. */
export function periodStartMs(kind: PeriodKind, wallMs: number, utcOffsetMinutes: number): number {
  const lt = localTime(wallMs, utcOffsetMinutes);
  switch (kind) {
    case 'day':
      return dayStartMs(lt.dayNumber, utcOffsetMinutes);
    case 'week':
      return dayStartMs(isoWeek(lt).mondayDay, utcOffsetMinutes);
    case 'month':
      return dayStartMs(Date.UTC(lt.year, lt.month - 1, 1) / MS_PER_DAY, utcOffsetMinutes);
  }
}

/**
 * The most recent instant at or before `wallMs` when the local clock read `resetMinuteOfDay`
 * (e.g. the nightly anti-passback reset at 03:00).
 */
export function lastDailyResetMs(wallMs: number, utcOffsetMinutes: number, resetMinuteOfDay: number): number {
  const lt = localTime(wallMs, utcOffsetMinutes);
  const today = dayStartMs(lt.dayNumber, utcOffsetMinutes) + resetMinuteOfDay * MS_PER_MINUTE;
  return today <= wallMs ? today : today - MS_PER_DAY;
}

const HH_MM = /^(\d{2}):(\d{2})$/;

/** 'HH:MM' → minutes since midnight; '24:00' is allowed as an end of day. Null when malformed. */
export function parseHhMm(text: string): number | null {
  const m = HH_MM.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isLocalDate(text: string): boolean {
  const m = YMD.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** True for a month written YYYY-MM (a card expiry). */
export function isYearMonth(text: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}
