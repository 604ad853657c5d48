/**
 * School gate decisions. The reader serves one direction (DeviceContext.direction).
 * Order: stop-list → roster of this school (the allow list) → entry validity → repeat →
 * exit / staff override / holiday / schedule / anti-passback. Every allowed passage counts a
 * PASSAGE with its direction (attendance).
 *
 * Choices:
 * - Exits (OUT) are never refused by schedule, holiday or anti-passback: nobody is held inside
 *   a school by a rule (an OUT without an IN is recorded as is; attendance reconciles it). The
 *   stop-list and the roster still apply to the card; the guard lets a visitor out.
 * - Anti-passback (entries only): when enabled, an IN is refused if the newest passage since the
 *   last nightly reset (`antiPassback.resetAtLocal`, local) is an IN. The reset forgets a missed
 *   exit (a child who left through the gate with someone else) so nobody is locked out next day.
 *   It works from the passages in `history`: IN and OUT of a turnstile must share that history
 *   (one device serving both readers, or a store the readers share).
 * - Repeat: a tap in the same direction as the newest passage, sooner than `repeatWindowSec`,
 *   is REPEAT (not counted again, not an anti-passback refusal). Whether a REPEAT re-releases the
 *   turnstile is the app's choice; releasing only on ALLOW keeps passback closed.
 * - Staff override (`staffOverride`): staff pass at any time, on holidays, without
 *   anti-passback (OK_STAFF). Without it, staff follow `schedules.staff` like students.
 */
import { elapsedMs } from './clock-guard.js';
import { envOf, findEntry, make, preChecks, refuse, validity } from './decide-common.js';
import type { Decision, DecisionInput } from './decision.js';
import { lastDailyResetMs, parseHhMm, type LocalTime } from './local-time.js';
import type { Direction } from './model.js';
import { said } from './reasons.js';
import type { GateRules, TimeWindow } from './rules.js';

/** Inside one of the windows: weekday listed and from ≤ now < to. */
export function inSchedule(windows: readonly TimeWindow[], now: LocalTime): boolean {
  return windows.some((w) => {
    const from = parseHhMm(w.from);
    const to = parseHhMm(w.to);
    return w.days.includes(now.weekday) && from !== null && to !== null && now.minuteOfDay >= from && now.minuteOfDay < to;
  });
}

export function decideGate(input: DecisionInput, rules: GateRules): Decision {
  const env = envOf(input);
  const early = preChecks(env);
  if (early) return early;
  const { context, history, time } = input;
  const { direction, schoolId } = context;
  if (direction === undefined || schoolId === undefined) return make(env, 'DENY', said('DEVICE_NOT_CONFIGURED'));

  const entry = findEntry(env, 'roster', (e) => e.attrs.schoolId === schoolId && e.attrs.role !== undefined);
  const role = entry?.attrs.role;
  if (entry === undefined || role === undefined) return make(env, 'DENY', said('NOT_ON_ROSTER'));
  const valid = validity(entry, env.now.date);
  if (valid === 'NOT_YET') return refuse(env, said('ENTRY_NOT_YET_VALID'));
  if (valid === 'ENDED') return refuse(env, said('ENTRY_EXPIRED'));

  const passages = history.filter((e) => e.kind === 'PASSAGE');
  const last = passages[0];
  if (last !== undefined && last.direction === direction && elapsedMs(last, time) < rules.repeatWindowSec * 1000) {
    return make(env, 'REPEAT', said('REPEAT_PASSAGE'), { direction, entitled: true });
  }

  const pass = (d: Direction, staff: boolean): Decision =>
    make(env, 'ALLOW', staff ? said('OK_STAFF', { direction: d }) : said('OK_PASSAGE', { direction: d }), {
      counted: 'PASSAGE',
      direction: d,
      entitled: true,
    });
  const override = role === 'staff' && rules.staffOverride;
  if (direction === 'OUT' || override) return pass(direction, override);

  if (rules.holidays.includes(env.now.date)) return refuse(env, said('HOLIDAY'));
  if (!inSchedule(rules.schedules[role], env.now)) return refuse(env, said('OUTSIDE_SCHEDULE'));
  if (rules.antiPassback.enabled) {
    const resetMs = lastDailyResetMs(time.wallMs, context.utcOffsetMinutes, parseHhMm(rules.antiPassback.resetAtLocal) ?? 0);
    const sinceReset = passages.find((e) => e.wallMs >= resetMs);
    if (sinceReset?.direction === 'IN') return refuse(env, said('ANTI_PASSBACK'));
  }
  return pass('IN', false);
}
