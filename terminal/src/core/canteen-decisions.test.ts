import { describe, expect, it } from 'vitest';
import type { ListEntry } from './model.js';
import { validateRules } from './rules.js';
import { card, entry, expectations, runScenario, type Base, type Scenario } from './scenario-harness.js';

const rules = validateRules({
  profile: 'canteen',
  windows: [
    { id: 'breakfast', from: '08:00', to: '09:30', priceKopecks: 8500 },
    { id: 'lunch', from: '11:30', to: '14:00', priceKopecks: 12000 },
    { id: 'snack', from: '15:00', to: '16:00', priceKopecks: 5000 },
  ],
  freeMeals: { lowIncome: ['breakfast', 'lunch'], primary: ['breakfast'] },
  restricted: { maxPaidKopecksPerDayWhenStale: 15000 },
});

const roster = entry('roster', 'tok-K', { attrs: { schoolId: 'sch1', classId: '3B', role: 'student' } });
const account = (category: string | null, allowance: number, over: Partial<ListEntry> = {}): ListEntry =>
  entry('canteen', 'tok-K', { category, attrs: { schoolId: 'sch1', dailyAllowanceKopecks: allowance }, ...over });
const enjoy = (rub: string): Record<string, unknown> => ({ message: { ru: `Приятного аппетита! Остаток: ${rub} ₽` } });

const base: Base = {
  rules,
  context: { deviceId: 'till-1', profile: 'canteen', schoolId: 'sch1', utcOffsetMinutes: 180 },
  card: card('tok-K'),
  entries: [roster, account('lowIncome', 20000)],
};

const scenarios: Scenario[] = [
  { name: 'free breakfast by category: nothing taken from the allowance, remainder shown', steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL', { counted: 'MEAL', amountKopecks: 0, ...enjoy('200,00'),
      meal: { window: 'breakfast', free: true, priceKopecks: 8500, remainingKopecks: 20000 } }] }] },
  { name: 'free meal once per window: a second tap is ALREADY_SERVED', steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL'] },
    { at: '2025-03-10 08:20', expect: ['REPEAT', 'ALREADY_SERVED', { counted: null, message: { ru: 'Питание уже получено' } }] },
    { at: '2025-03-10 12:00', expect: ['ALLOW', 'OK_MEAL', { meal: { window: 'lunch', free: true } }] },
    { at: '2025-03-10 13:59', expect: ['REPEAT', 'ALREADY_SERVED'] }] },
  { name: 'no carry-over: a missed breakfast is gone; the next day has one of each', steps: [
    { at: '2025-03-10 12:00', expect: ['ALLOW', 'OK_MEAL', { meal: { window: 'lunch', free: true } }] },
    { at: '2025-03-10 12:05', expect: ['REPEAT', 'ALREADY_SERVED'] },
    { at: '2025-03-11 08:00', expect: ['ALLOW', 'OK_MEAL', { meal: { window: 'breakfast', free: true } }] },
    { at: '2025-03-11 08:01', expect: ['REPEAT', 'ALREADY_SERVED'] }] },
  { name: 'category with free breakfast only pays for lunch', entries: [roster, account('primary', 20000)], steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL', { meal: { free: true }, ...enjoy('200,00') }] },
    { at: '2025-03-10 12:00', expect: ['ALLOW', 'OK_MEAL', { meal: { free: false }, amountKopecks: 12000, ...enjoy('80,00') }] }] },
  { name: 'paid meals decrement the allowance; insufficient → DENY with the remainder', entries: [roster, account(null, 20000)], steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL', { amountKopecks: 8500, meal: { free: false, priceKopecks: 8500, remainingKopecks: 11500 }, ...enjoy('115,00') }] },
    { at: '2025-03-10 12:00', expect: ['DENY', 'INSUFFICIENT_ALLOWANCE', { counted: null, message: { ru: 'Недостаточно средств. Остаток: 115,00 ₽' } }] },
    { at: '2025-03-10 15:10', expect: ['ALLOW', 'OK_MEAL', { amountKopecks: 5000, ...enjoy('65,00') }] }] },
  { name: 'a refused meal does not close the window', entries: [roster, account(null, 8000)], steps: [
    { at: '2025-03-10 08:10', expect: ['DENY', 'INSUFFICIENT_ALLOWANCE', { message: { en: 'Insufficient balance. Balance: 80.00 RUB' } }] },
    { at: '2025-03-10 08:11', expect: ['DENY', 'INSUFFICIENT_ALLOWANCE'] }] },
  { name: 'the allowance is daily: the next day starts full', entries: [roster, account(null, 20000)], steps: [
    { at: '2025-03-10 12:00', expect: ['ALLOW', 'OK_MEAL', enjoy('80,00')] },
    { at: '2025-03-11 12:00', expect: ['ALLOW', 'OK_MEAL', enjoy('80,00')] }] },
  { name: 'no allowance and no free meal → INSUFFICIENT_ALLOWANCE', entries: [roster, account(null, 0)],
    steps: [{ at: '2025-03-10 12:00', expect: ['DENY', 'INSUFFICIENT_ALLOWANCE', { message: { ru: 'Недостаточно средств. Остаток: 0,00 ₽' } }] }] },
  { name: 'meal window boundaries: [08:00, 09:30)', steps: [
    { at: '2025-03-10 07:59:59', expect: ['DENY', 'OUTSIDE_MEAL_WINDOW', { message: { ru: 'Сейчас нет выдачи питания' } }] },
    { at: '2025-03-10 08:00:00', expect: ['ALLOW', 'OK_MEAL'] },
    { at: '2025-03-10 09:30:00', expect: ['DENY', 'OUTSIDE_MEAL_WINDOW'] }] },
  { name: 'last minute of a window still serves', steps: [{ at: '2025-03-10 09:29:59', expect: ['ALLOW', 'OK_MEAL'] }] },
  { name: 'not on the school roster → DENY', entries: [account('lowIncome', 20000)],
    steps: [{ at: '2025-03-10 08:10', expect: ['DENY', 'NOT_ON_ROSTER'] }] },
  { name: 'on the roster but not on the canteen list → NO_MEAL_ACCOUNT', entries: [roster],
    steps: [{ at: '2025-03-10 08:10', expect: ['DENY', 'NO_MEAL_ACCOUNT'] }] },
  { name: 'a canteen entry of another school does not count', entries: [roster, entry('canteen', 'tok-K', { category: 'lowIncome', attrs: { schoolId: 'sch2' } })],
    steps: [{ at: '2025-03-10 08:10', expect: ['DENY', 'NO_MEAL_ACCOUNT'] }] },
  { name: 'canteen entry past its validTo → DENY', entries: [roster, account('lowIncome', 20000, { validTo: '2025-03-09' })],
    steps: [{ at: '2025-03-10 08:10', expect: ['DENY', 'ENTRY_EXPIRED'] }] },
  { name: 'stop-listed card → DENY', entries: [roster, account('lowIncome', 20000), entry('stoplist', 'tok-K')],
    steps: [{ at: '2025-03-10 08:10', expect: ['DENY', 'STOPLISTED'] }] },
  { name: 'stale canteen list: free meals by it are served, flagged', lists: { canteen: { stale: true } }, steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL', { meal: { free: true }, flags: { staleList: true, restricted: true } }] }] },
  { name: 'stale canteen list: paid meals up to the restricted daily cap', lists: { canteen: { stale: true } }, entries: [roster, account(null, 40000)], steps: [
    { at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL', { amountKopecks: 8500, flags: { restricted: true } }] },
    { at: '2025-03-10 12:00', expect: ['DENY', 'RESTRICTED_LIMIT', { flags: { staleList: true, restricted: true } }] },
    { at: '2025-03-10 15:10', expect: ['ALLOW', 'OK_MEAL', { amountKopecks: 5000, ...enjoy('265,00') }] }] },
  { name: 'wall clock jumps back into breakfast after lunch: no second meal, flagged', steps: [
    { at: '2025-03-10 12:00', expect: ['ALLOW', 'OK_MEAL', { meal: { window: 'lunch' } }] },
    { wallJumpMs: -3 * 3_600_000 },
    { at: '2025-03-10 12:05', expect: ['REPEAT', 'ALREADY_SERVED', { flags: { clockFault: true } }] }] },
];

describe('canteen decisions', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => {
    const results = runScenario(base, sc);
    expectations(sc).forEach(({ at: when, expect: [outcome, reason, more] }, i) => {
      const d = results[i]!.decision;
      expect({ when, outcome: d.outcome, reason: d.reason }).toEqual({ when, outcome, reason });
      if (more) expect(d, when).toMatchObject(more);
    });
  });

  it('the till shows the same for a free and a paid meal (anonymity)', () => {
    const steps: Scenario['steps'] = [{ at: '2025-03-10 08:10', expect: ['ALLOW', 'OK_MEAL'] }];
    const [free] = runScenario(base, { name: 'free', entries: [roster, account('lowIncome', 20000)], steps });
    const [paid] = runScenario(base, { name: 'paid', entries: [roster, account(null, 28500)], steps });
    expect(free!.decision.meal?.free).toBe(true);
    expect(paid!.decision.meal?.free).toBe(false);
    expect(paid!.decision.reason).toBe(free!.decision.reason);
    expect(paid!.decision.message).toEqual(free!.decision.message);
    expect(free!.decision.message.ru).toBe('Приятного аппетита! Остаток: 200,00 ₽');
  });
});
