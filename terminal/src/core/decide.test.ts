import { describe, expect, it } from 'vitest';
import { historyQuery, usageOf } from './decide.js';
import type { Decision } from './decision.js';
import type { TrustedTime } from './model.js';
import type { BusRules, CanteenRules, GateRules } from './rules.js';
import { at } from './scenario-harness.js';

const time: TrustedTime = { wallMs: at('2025-03-14 10:00'), monoMs: 5_000, bootId: 'b1', clockFault: false };
const flags = { staleList: false, restricted: false, clockFault: false };

const bus: BusRules = {
  profile: 'bus',
  repeatWindowSec: 60,
  categories: { a: { ride: 'FREE', quota: { period: 'month', limit: 18 }, companion: { windowMin: 10, maxCompanions: 2 } } },
  fares: {},
  defaultFullKopecks: 5000,
  restricted: { maxRidesPerDayWhenStale: 2 },
};

describe('historyQuery', () => {
  it('bus: from the start of the longest quota period, enough rows for a full quota with companions', () => {
    expect(historyQuery(bus, time, 180)).toEqual({ sinceWallMs: at('2025-03-01 00:00') - 1, limit: 18 * 3 + 1 });
    const noQuota: BusRules = { ...bus, categories: { b: { ride: 'FREE' } } };
    expect(historyQuery(noQuota, time, 180).sinceWallMs).toBe(at('2025-03-14 00:00') - 1);
  });

  it('bus: a week quota that began last month reaches back into it', () => {
    const weekly: BusRules = { ...bus, categories: { w: { ride: 'FREE', quota: { period: 'week', limit: 5 } } } };
    expect(historyQuery(weekly, { ...time, wallMs: at('2025-04-02 10:00') }, 180).sinceWallMs).toBe(at('2025-03-31 00:00') - 1);
  });

  it('gate: since the last anti-passback reset; canteen: since local midnight', () => {
    const gate: GateRules = {
      profile: 'gate',
      schedules: { student: [], staff: [] },
      holidays: [],
      antiPassback: { enabled: true, resetAtLocal: '03:00' },
      staffOverride: false,
      repeatWindowSec: 10,
    };
    expect(historyQuery(gate, time, 180).sinceWallMs).toBe(at('2025-03-14 03:00') - 1);
    const canteen: CanteenRules = { profile: 'canteen', windows: [], freeMeals: {}, restricted: { maxPaidKopecksPerDayWhenStale: 0 } };
    expect(historyQuery(canteen, time, 180).sinceWallMs).toBe(at('2025-03-14 00:00') - 1);
  });
});

describe('usageOf', () => {
  const base: Decision = { outcome: 'DENY', reason: 'STOPLISTED', message: { ru: 'x', en: 'x' }, counted: null, amountKopecks: 0, flags };

  it('nothing counted → no usage', () => {
    expect(usageOf(base, time)).toBeNull();
  });

  it('records kind, money, direction and meal window stamped with both clocks', () => {
    const ride: Decision = { ...base, outcome: 'ALLOW', counted: 'RIDE', fare: { type: 'DISCOUNT', kopecks: 2250, category: 's' }, amountKopecks: 2250 };
    expect(usageOf(ride, time)).toEqual({ wallMs: time.wallMs, monoMs: 5_000, bootId: 'b1', kind: 'RIDE', amountKopecks: 2250, free: false });
    const pass: Decision = { ...base, outcome: 'ALLOW', counted: 'PASSAGE', direction: 'OUT' };
    expect(usageOf(pass, time)).toMatchObject({ kind: 'PASSAGE', direction: 'OUT', free: true, amountKopecks: 0 });
    const meal: Decision = { ...base, outcome: 'ALLOW', counted: 'MEAL', meal: { window: 'lunch', free: true, priceKopecks: 12000, remainingKopecks: 0 } };
    expect(usageOf(meal, time)).toMatchObject({ kind: 'MEAL', mealWindow: 'lunch', free: true, amountKopecks: 0 });
  });
});
