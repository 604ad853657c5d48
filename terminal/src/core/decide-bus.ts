/**
 * Bus validator decisions. Order: stop-list → card expiry → benefit list (NOT_ENROLLED) →
 * benefit validity → category rule → repeat/companion windows → quota → restricted-mode cap.
 *
 * Repeat vs companion (both on elapsed time since this card's counted taps on this bus;
 * monotonic within a boot, wall time across a reboot):
 * - Category with a companion allowance, within `companion.windowMin` of the holder's last RIDE:
 *   a tap sooner than `minGapSec` (default 3 s) after the previous counted tap is a bounce →
 *   REPEAT; otherwise the tap registers a COMPANION while fewer than `maxCompanions` have been
 *   registered for that RIDE; once they are used up, further taps in the window are REPEAT (the
 *   same party boarding the same vehicle, never a second holder's RIDE). So for such categories a
 *   deliberate second tap, however soon, is a companion: that is how a companion boards.
 * - Otherwise a tap sooner than `repeatWindowSec` after the last counted tap is REPEAT.
 * REPEAT and NOT_ENROLLED taps are recorded in the journal but count nothing.
 *
 * Quota (RIDEs only; companions do not use the holder's trips): used = the list's server count
 * (`attrs.usedInPeriod`, when `attrs.usedPeriod` is the current period key) + this device's
 * RIDEs in the current period after `attrs.usedAsOfMs` (all of the period's local RIDEs when the
 * list's count is for another period or has no as-of). used ≥ limit → QUOTA_EXHAUSTED.
 *
 * Overspend bound: each bus knows only the server count c (as of usedAsOfMs) and its own taps.
 * If k buses are offline for the rest of the period, each may grant up to limit − c rides, so the
 * card can ride at most c + k·(limit − c) times: an overspend of at most (k − 1)·(limit − c).
 * It closes as soon as the buses receive a list with a fresh count. When the lists go stale,
 * the restricted cap also holds it to k·maxRidesPerDayWhenStale rides per day. (Rides taken
 * before usedAsOfMs that the server had not received when it compiled the list are missed by
 * both counts: the server should set usedAsOfMs no later than its oldest undelivered horizon.)
 *
 * Fare: full fare from `fares[routeId]` or `defaultFullKopecks`. FREE pays 0; DISCOUNT pays
 * round-half-up(full × (100 − p) / 100) in whole kopecks (e.g. 50% of 4 501 → 2 251). The
 * passenger pays that at the carrier's payment terminal; `fare.kopecks` and `amountKopecks` record it.
 */
import { elapsedMs } from './clock-guard.js';
import { envOf, findEntry, make, preChecks, refuse, validity, type DecideEnv } from './decide-common.js';
import type { Decision, DecisionInput } from './decision.js';
import { isYearMonth, localDate, periodKey } from './local-time.js';
import type { ListEntry, UsageEvent } from './model.js';
import { said } from './reasons.js';
import { DEFAULT_COMPANION_MIN_GAP_SEC, type BusCategoryRule, type BusRules, type QuotaRule } from './rules.js';

export function payableKopecks(rule: BusCategoryRule, fullKopecks: number): number {
  if (rule.ride === 'FREE') return 0;
  const keep = 100 - (rule.discountPercent ?? 0);
  return Math.floor((fullKopecks * keep + 50) / 100);
}

/** Trips counted against the quota in the current period (see the module comment). */
export function quotaUsed(entry: ListEntry, quota: QuotaRule, history: readonly UsageEvent[], env: DecideEnv): number {
  const offset = env.input.context.utcOffsetMinutes;
  const key = periodKey(quota.period, env.input.time.wallMs, offset);
  const a = entry.attrs;
  const listApplies = a.usedPeriod === key;
  const listCount = listApplies ? (a.usedInPeriod ?? 0) : 0;
  const asOfMs = listApplies ? (a.usedAsOfMs ?? -Infinity) : -Infinity;
  const local = history.filter(
    (e) => e.kind === 'RIDE' && e.wallMs > asOfMs && periodKey(quota.period, e.wallMs, offset) === key,
  ).length;
  return listCount + local;
}

type Window = 'REPEAT' | 'COMPANION' | 'NONE';

function shortWindow(rule: BusCategoryRule, rules: BusRules, history: readonly UsageEvent[], env: DecideEnv): Window {
  const time = env.input.time;
  const counted = history.filter((e) => e.kind === 'RIDE' || e.kind === 'COMPANION');
  const last = counted[0];
  if (last === undefined) return 'NONE';
  const sinceLast = elapsedMs(last, time);
  const rideIndex = counted.findIndex((e) => e.kind === 'RIDE');
  const ride = counted[rideIndex];
  const comp = rule.companion;
  if (comp !== undefined && ride !== undefined && elapsedMs(ride, time) < comp.windowMin * 60_000) {
    if (sinceLast < (comp.minGapSec ?? DEFAULT_COMPANION_MIN_GAP_SEC) * 1000) return 'REPEAT';
    return rideIndex < comp.maxCompanions ? 'COMPANION' : 'REPEAT';
  }
  return sinceLast < rules.repeatWindowSec * 1000 ? 'REPEAT' : 'NONE';
}

export function decideBus(input: DecisionInput, rules: BusRules): Decision {
  const env = envOf(input);
  const early = preChecks(env);
  if (early) return early;
  const { card, context, history } = input;
  if (!isYearMonth(card.expiry)) return make(env, 'DENY', said('CARD_DATA_INVALID'));
  if (card.expiry < env.now.date.slice(0, 7)) return make(env, 'DENY', said('CARD_EXPIRED'));

  const entry = findEntry(env, 'benefit');
  if (entry === undefined) return make(env, 'NOT_ENROLLED', said('NOT_ENROLLED'));
  const valid = validity(entry, env.now.date);
  if (valid === 'NOT_YET') return refuse(env, said('BENEFIT_NOT_YET_VALID'));
  if (valid === 'ENDED') return refuse(env, said('BENEFIT_EXPIRED'));
  const rule = entry.category === null ? undefined : rules.categories[entry.category];
  if (rule === undefined || entry.category === null) return refuse(env, said('CATEGORY_NOT_ACCEPTED'));

  const fullKopecks = (context.routeId !== undefined ? rules.fares[context.routeId]?.fullKopecks : undefined) ?? rules.defaultFullKopecks;
  const pay = payableKopecks(rule, fullKopecks);
  const fare = { type: rule.ride, kopecks: pay, category: entry.category };

  const window = shortWindow(rule, rules, history, env);
  if (window === 'REPEAT') return make(env, 'REPEAT', said('REPEAT_RIDE'), { entitled: true });
  if (window === 'COMPANION') {
    return make(env, 'ALLOW', said('OK_COMPANION'), { counted: 'COMPANION', fare, amountKopecks: pay, entitled: true });
  }

  let tripsLeft: number | null = null;
  if (rule.quota !== undefined) {
    const used = quotaUsed(entry, rule.quota, history, env);
    if (used >= rule.quota.limit) return refuse(env, said('QUOTA_EXHAUSTED', { period: rule.quota.period }));
    tripsLeft = rule.quota.limit - used - 1;
  }
  if (env.stale) {
    const offset = context.utcOffsetMinutes;
    const today = history.filter((e) => e.kind === 'RIDE' && localDate(e.wallMs, offset) === env.now.date).length;
    if (today >= rules.restricted.maxRidesPerDayWhenStale) return refuse(env, said('RESTRICTED_LIMIT'));
  }
  const s =
    rule.ride === 'FREE'
      ? said('OK_FREE', { tripsLeft })
      : said('OK_DISCOUNT', { percent: rule.discountPercent ?? 0, payKopecks: pay, tripsLeft });
  return make(env, 'ALLOW', s, { counted: 'RIDE', fare, amountKopecks: pay, entitled: true });
}
