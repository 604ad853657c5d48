/**
 * School canteen till decisions. Order: stop-list → roster of this school → canteen list entry
 * (entitlement category, daily allowance) → validity → meal window → once per window per day →
 * free meal by category, else paid meal from the daily allowance.
 *
 * - Meal windows are [from, to) local; outside all of them → OUTSIDE_MEAL_WINDOW.
 * - A meal already counted in this window on this local day → REPEAT (ALREADY_SERVED), whether
 *   it was free or paid. Free meals do not carry over: a missed breakfast is simply gone.
 * - Free: the canteen entry's category lists this window in `freeMeals`: nothing is taken from
 *   the allowance (amountKopecks 0); meal.priceKopecks still records the menu price, for billing.
 * - Paid: the window's menu price from today's allowance: `attrs.dailyAllowanceKopecks` minus
 *   the amounts of today's meals in history (decremented locally); not enough → INSUFFICIENT_ALLOWANCE.
 * - Anonymity: free and paid meals give the same reason (OK_MEAL) and the same message
 *   («Приятного аппетита! Остаток: …» with the remaining allowance); only Decision.meal.free and
 *   the amount tell them apart, for the journal.
 */
import { envOf, findEntry, make, preChecks, refuse, validity, type DecideEnv } from './decide-common.js';
import type { Decision, DecisionInput } from './decision.js';
import { localDate, parseHhMm } from './local-time.js';
import type { ListEntry, UsageEvent } from './model.js';
import { said } from './reasons.js';
import type { CanteenRules, MealWindow } from './rules.js';

export function currentMealWindow(rules: CanteenRules, minuteOfDay: number): MealWindow | undefined {
  return rules.windows.find((w) => {
    const from = parseHhMm(w.from);
    const to = parseHhMm(w.to);
    return from !== null && to !== null && minuteOfDay >= from && minuteOfDay < to;
  });
}

function mealsToday(history: readonly UsageEvent[], env: DecideEnv): UsageEvent[] {
  const offset = env.input.context.utcOffsetMinutes;
  return history.filter((e) => e.kind === 'MEAL' && localDate(e.wallMs, offset) === env.now.date);
}

function entryValidity(env: DecideEnv, entries: readonly ListEntry[]): Decision | null {
  for (const e of entries) {
    const v = validity(e, env.now.date);
    if (v === 'NOT_YET') return refuse(env, said('ENTRY_NOT_YET_VALID'));
    if (v === 'ENDED') return refuse(env, said('ENTRY_EXPIRED'));
  }
  return null;
}

export function decideCanteen(input: DecisionInput, rules: CanteenRules): Decision {
  const env = envOf(input);
  const early = preChecks(env);
  if (early) return early;
  const { schoolId } = input.context;
  if (schoolId === undefined) return make(env, 'DENY', said('DEVICE_NOT_CONFIGURED'));

  const ofSchool = (e: ListEntry): boolean => e.attrs.schoolId === undefined || e.attrs.schoolId === schoolId;
  const student = findEntry(env, 'roster', (e) => e.attrs.schoolId === schoolId);
  if (student === undefined) return make(env, 'DENY', said('NOT_ON_ROSTER'));
  const account = findEntry(env, 'canteen', ofSchool);
  if (account === undefined) return refuse(env, said('NO_MEAL_ACCOUNT'));
  const invalid = entryValidity(env, [student, account]);
  if (invalid) return invalid;

  const window = currentMealWindow(rules, env.now.minuteOfDay);
  if (window === undefined) return refuse(env, said('OUTSIDE_MEAL_WINDOW'));
  const today = mealsToday(input.history, env);
  if (today.some((e) => e.mealWindow === window.id)) return make(env, 'REPEAT', said('ALREADY_SERVED'), { entitled: true });

  const spentKopecks = today.reduce((sum, e) => sum + e.amountKopecks, 0);
  const leftKopecks = Math.max(0, (account.attrs.dailyAllowanceKopecks ?? 0) - spentKopecks);
  const free = account.category !== null && (rules.freeMeals[account.category] ?? []).includes(window.id);
  const price = free ? 0 : window.priceKopecks;
  if (price > leftKopecks) return refuse(env, said('INSUFFICIENT_ALLOWANCE', { remainingKopecks: leftKopecks }));
  if (env.stale && price > 0 && spentKopecks + price > rules.restricted.maxPaidKopecksPerDayWhenStale) {
    return refuse(env, said('RESTRICTED_LIMIT'));
  }
  const remainingKopecks = leftKopecks - price;
  return make(env, 'ALLOW', said('OK_MEAL', { remainingKopecks }), {
    counted: 'MEAL',
    meal: { window: window.id, free, priceKopecks: window.priceKopecks, remainingKopecks },
    amountKopecks: price,
    entitled: true,
  });
}
