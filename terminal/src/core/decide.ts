/**
 * The decision core's entry point: `decide(input) -> Decision`, pure (no I/O, no clock reads).
 * Also what the app needs around it: which history to fetch, and the usage event to record
 * with the tap when the decision counted something.
 */
import { decideBus } from './decide-bus.js';
import { decideCanteen } from './decide-canteen.js';
import { decideGate } from './decide-gate.js';
import type { Decision, DecisionInput } from './decision.js';
import { lastDailyResetMs, parseHhMm, periodStartMs } from './local-time.js';
import type { TrustedTime, UsageEvent } from './model.js';
import type { ProfileRules } from './rules.js';

export function decide(input: DecisionInput): Decision {
  const rules = input.rules;
  switch (rules.profile) {
    case 'bus':
      return decideBus(input, rules);
    case 'gate':
      return decideGate(input, rules);
    case 'canteen':
      return decideCanteen(input, rules);
  }
}

export interface HistoryQuery {
  /** Fetch the token's usage events newer than this wall time (1 ms before the earliest needed) ... */
  readonly sinceWallMs: number;
  /** ... at most this many, newest first. Enough for every rule of these rules to count right. */
  readonly limit: number;
}

/**
 * The history the rules need: bus — the longest quota period, today (restricted cap) and the
 * repeat/companion windows; gate — since the anti-passback reset (or the repeat window);
 * canteen — today. The limit covers a full quota with its companions; truncating below it would
 * under-count trips.
 */
export function historyQuery(rules: ProfileRules, time: TrustedTime, utcOffsetMinutes: number): HistoryQuery {
  const dayStart = periodStartMs('day', time.wallMs, utcOffsetMinutes);
  switch (rules.profile) {
    case 'bus': {
      let since = Math.min(dayStart, time.wallMs - rules.repeatWindowSec * 1000);
      let limit = Math.max(16, rules.restricted.maxRidesPerDayWhenStale + 1);
      for (const c of Object.values(rules.categories)) {
        const companions = c.companion?.maxCompanions ?? 0;
        if (c.companion) since = Math.min(since, time.wallMs - c.companion.windowMin * 60_000);
        if (c.quota) {
          since = Math.min(since, periodStartMs(c.quota.period, time.wallMs, utcOffsetMinutes));
          limit = Math.max(limit, c.quota.limit * (1 + companions) + 1);
        }
      }
      return { sinceWallMs: since - 1, limit };
    }
    case 'gate': {
      const repeatSince = time.wallMs - rules.repeatWindowSec * 1000;
      const reset = lastDailyResetMs(time.wallMs, utcOffsetMinutes, parseHhMm(rules.antiPassback.resetAtLocal) ?? 0);
      return { sinceWallMs: Math.min(repeatSince, rules.antiPassback.enabled ? reset : repeatSince) - 1, limit: 64 };
    }
    case 'canteen':
      return { sinceWallMs: dayStart - 1, limit: 16 + rules.windows.length };
  }
}

/** The usage event to record with the tap (same transaction), or null when nothing was counted. */
export function usageOf(decision: Decision, time: TrustedTime): Omit<UsageEvent, 'seq'> | null {
  if (decision.counted === null) return null;
  const free = decision.fare ? decision.fare.type === 'FREE' : decision.meal ? decision.meal.free : true;
  return {
    wallMs: time.wallMs,
    monoMs: time.monoMs,
    bootId: time.bootId,
    kind: decision.counted,
    ...(decision.direction !== undefined && { direction: decision.direction }),
    ...(decision.meal !== undefined && { mealWindow: decision.meal.window }),
    amountKopecks: decision.amountKopecks,
    free,
  };
}
