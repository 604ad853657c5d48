import { describe, expect, it } from 'vitest';
import { isLocalDate, isYearMonth, lastDailyResetMs, localTime, parseHhMm, periodKey, periodStartMs } from './local-time.js';
import { at } from './scenario-harness.js';

describe('local time', () => {
  it('derives the local date, weekday and minute of day from wall ms and the offset', () => {
    // 2025-03-09 22:30 UTC is Monday 2025-03-10 01:30 in Moscow (UTC+3).
    const lt = localTime(Date.UTC(2025, 2, 9, 22, 30), 180);
    expect(lt).toMatchObject({ date: '2025-03-10', year: 2025, month: 3, day: 10, weekday: 1, minuteOfDay: 90 });
    expect(localTime(Date.UTC(2025, 2, 9, 22, 30), 0)).toMatchObject({ date: '2025-03-09', weekday: 7, minuteOfDay: 1350 });
    expect(localTime(Date.UTC(2025, 2, 10, 5, 0), 600)).toMatchObject({ date: '2025-03-10', minuteOfDay: 900 }); // Vladivostok
  });

  it('weekday is ISO (1 = Monday .. 7 = Sunday), also before 1970', () => {
    expect(localTime(0, 0).weekday).toBe(4); // 1970-01-01 Thursday
    expect(localTime(Date.UTC(1969, 11, 28), 0).weekday).toBe(7);
    expect(localTime(at('2025-03-16 23:59'), 180).weekday).toBe(7);
    expect(localTime(at('2025-03-17 00:00'), 180).weekday).toBe(1);
  });

  it.each([
    ['day', '2025-03-31 23:59:59', '2025-03-31'],
    ['day', '2025-04-01 00:00:00', '2025-04-01'],
    ['month', '2025-03-31 23:59:59', '2025-03'],
    ['month', '2025-04-01 00:00:00', '2025-04'],
    ['week', '2025-03-16 23:59:59', '2025-W11'],
    ['week', '2025-03-17 00:00:00', '2025-W12'],
    ['week', '2024-12-30 10:00', '2025-W01'], // ISO week-year differs from the calendar year
    ['week', '2027-01-01 10:00', '2026-W53'],
    ['week', '2021-01-03 10:00', '2020-W53'],
  ] as const)('%s key at %s is %s', (kind, local, key) => {
    expect(periodKey(kind, at(local), 180)).toBe(key);
  });

  it('period starts at local midnight of the 1st, the Monday, the day', () => {
    const now = at('2025-03-14 15:45');
    expect(periodStartMs('day', now, 180)).toBe(at('2025-03-14 00:00'));
    expect(periodStartMs('week', now, 180)).toBe(at('2025-03-10 00:00'));
    expect(periodStartMs('month', now, 180)).toBe(at('2025-03-01 00:00'));
    expect(periodStartMs('month', at('2025-04-01 00:00'), 180)).toBe(at('2025-04-01 00:00'));
    expect(periodStartMs('month', at('2025-03-31 23:59:59.999'), 180)).toBe(at('2025-03-01 00:00'));
  });

  it('the most recent daily reset is today’s when passed, else yesterday’s', () => {
    expect(lastDailyResetMs(at('2025-03-11 02:59:59'), 180, 180)).toBe(at('2025-03-10 03:00'));
    expect(lastDailyResetMs(at('2025-03-11 03:00'), 180, 180)).toBe(at('2025-03-11 03:00'));
    expect(lastDailyResetMs(at('2025-03-11 23:00'), 180, 0)).toBe(at('2025-03-11 00:00'));
  });

  it('parses HH:MM and validates dates', () => {
    expect(parseHhMm('07:30')).toBe(450);
    expect(parseHhMm('24:00')).toBe(1440);
    for (const bad of ['7:30', '24:01', '12:60', '25:00', 'noon']) expect(parseHhMm(bad)).toBeNull();
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2025-02-29')).toBe(false);
    expect(isLocalDate('2025-3-1')).toBe(false);
    expect(isYearMonth('2025-12')).toBe(true);
    expect(isYearMonth('2025-13')).toBe(false);
  });
});
