import { isRescardError } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { validateRules } from './rules.js';

const bus = {
  profile: 'bus',
  repeatWindowSec: 60,
  categories: {
    pensioner: { ride: 'FREE', quota: { period: 'month', limit: 18 } },
    student: { ride: 'DISCOUNT', discountPercent: 50, companion: { windowMin: 10, maxCompanions: 1, minGapSec: 5 } },
  },
  fares: { r42: { fullKopecks: 4500 } },
  defaultFullKopecks: 5000,
  restricted: { maxRidesPerDayWhenStale: 4 },
};
const gate = {
  profile: 'gate',
  schedules: { student: [{ days: [1, 2, 3, 4, 5], from: '07:30', to: '18:00' }], staff: [] },
  holidays: ['2025-05-01'],
  antiPassback: { enabled: true, resetAtLocal: '03:00' },
  staffOverride: true,
  repeatWindowSec: 10,
};
const canteen = {
  profile: 'canteen',
  windows: [
    { id: 'breakfast', from: '08:00', to: '09:30', priceKopecks: 8500 },
    { id: 'lunch', from: '11:30', to: '14:00', priceKopecks: 12000 },
  ],
  freeMeals: { lowIncome: ['breakfast', 'lunch'] },
  restricted: { maxPaidKopecksPerDayWhenStale: 15000 },
};

/** A deep copy of `base` with `path` set to `value` (undefined deletes). */
function patch(base: object, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

describe('validateRules', () => {
  it('accepts good rules for each profile and returns an equal copy', () => {
    for (const rules of [bus, gate, canteen]) {
      const out = validateRules(rules);
      expect(out).toEqual(rules);
      expect(out).not.toBe(rules);
    }
  });

  it.each([
    ['not an object', [], 'rules: expected an object'],
    ['unknown profile', { ...bus, profile: 'tram' }, 'rules.profile: expected one of bus, gate, canteen'],
  ] as const)('refuses %s', (_n, input, message) => {
    expect(() => validateRules(input)).toThrow(message);
  });

  it.each([
    ['bus', ['repeatWindowSec'], -1, 'rules.repeatWindowSec: expected an integer 0..3600'],
    ['bus', ['repeatWindowSec'], undefined, 'rules.repeatWindowSec'],
    ['bus', ['repeatWindowSecs'], 60, 'rules.repeatWindowSecs: expected no such field'],
    ['bus', ['categories', 'pensioner', 'ride'], 'GRATIS', 'rules.categories.pensioner.ride: expected one of FREE, DISCOUNT'],
    ['bus', ['categories', 'pensioner', 'discountPercent'], 10, 'rules.categories.pensioner.discountPercent: expected no discount on a FREE ride'],
    ['bus', ['categories', 'student', 'discountPercent'], 100, 'rules.categories.student.discountPercent: expected an integer 1..99'],
    ['bus', ['categories', 'student', 'discountPercent'], 12.5, 'rules.categories.student.discountPercent'],
    ['bus', ['categories', 'pensioner', 'quota', 'limit'], 0, 'rules.categories.pensioner.quota.limit: expected an integer ≥ 1'],
    ['bus', ['categories', 'pensioner', 'quota', 'period'], 'year', 'rules.categories.pensioner.quota.period: expected one of day, week, month'],
    ['bus', ['categories', 'student', 'companion', 'windowMins'], 5, 'rules.categories.student.companion.windowMins: expected no such field'],
    ['bus', ['categories', 'student', 'companion', 'maxCompanions'], 0, 'rules.categories.student.companion.maxCompanions'],
    ['bus', ['fares', 'r42', 'fullKopecks'], '45.00', 'rules.fares.r42.fullKopecks: expected an integer ≥ 0'],
    ['bus', ['restricted'], undefined, 'rules.restricted: expected an object'],
    ['gate', ['schedules', 'student', 0, 'days', 1], 8, 'rules.schedules.student[0].days[1]: expected an integer 1..7'],
    ['gate', ['schedules', 'student', 0, 'from'], '7:30', "rules.schedules.student[0].from: expected local time 'HH:MM'"],
    ['gate', ['schedules', 'student', 0, 'to'], '07:00', 'rules.schedules.student[0].to: expected a time after from (07:30)'],
    ['gate', ['schedules', 'staff'], undefined, 'rules.schedules.staff: expected an array'],
    ['gate', ['holidays', 0], '2025-02-30', 'rules.holidays[0]: expected a date YYYY-MM-DD'],
    ['gate', ['antiPassback', 'resetAtLocal'], '25:00', 'rules.antiPassback.resetAtLocal'],
    ['gate', ['antiPassback', 'enabled'], 'yes', 'rules.antiPassback.enabled: expected true or false'],
    ['gate', ['staffOverride'], undefined, 'rules.staffOverride'],
    ['canteen', ['windows', 1, 'from'], '09:00', 'rules.windows[1]: expected no overlap with window breakfast'],
    ['canteen', ['windows', 1, 'id'], 'breakfast', 'rules.windows[1].id: expected a unique id'],
    ['canteen', ['windows', 0, 'priceKopecks'], -1, 'rules.windows[0].priceKopecks'],
    ['canteen', ['freeMeals', 'lowIncome', 1], 'dinner', 'rules.freeMeals.lowIncome[1]: expected one of breakfast, lunch'],
    ['canteen', ['restricted', 'maxPaidKopecksPerDayWhenStale'], undefined, 'rules.restricted.maxPaidKopecksPerDayWhenStale'],
  ] as const)('%s: %j = %j → CONFIG_INVALID', (profile, path, value, message) => {
    const input = patch({ bus, gate, canteen }[profile], [...path], value);
    let caught: unknown;
    try {
      validateRules(input);
    } catch (err) {
      caught = err;
    }
    expect(isRescardError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('names the rules’ place in a bigger config file', () => {
    expect(() => validateRules({ ...gate, repeatWindowSec: 'ten' }, 'profiles.gate')).toThrow('profiles.gate.repeatWindowSec');
  });
});
