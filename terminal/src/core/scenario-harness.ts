/**
 * Test support: runs the pure core as a device would, on virtual time (plain numbers, no sleeping):
 * clock reading → trustTime → historyQuery → decide → usageOf recorded in the token's history.
 *
 * Time in a scenario is real local time ('YYYY-MM-DD HH:MM:SS' at the device's offset); the
 * device's clocks read it through a wall-clock error (`wallJumpMs` steps) and a monotonic clock
 * that restarts at each reboot.
 */
import { trustTime, type ClockGuardState } from './clock-guard.js';
import { decide, historyQuery, usageOf } from './decide.js';
import type { Decision, DecisionInput, ListState } from './decision.js';
import type { CardFacts, DeviceContext, ListEntry, ListName, Outcome, UsageEvent } from './model.js';
import type { ReasonCode } from './reasons.js';
import type { ProfileRules } from './rules.js';

export const MSK = 180;

/** Wall ms of a local time 'YYYY-MM-DD HH:MM[:SS[.mmm]]' at `utcOffsetMinutes`. */
export function at(local: string, utcOffsetMinutes = MSK): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?$/.exec(local);
  if (!m) throw new Error(`bad local time ${local}`);
  const n = (i: number): number => Number(m[i] ?? 0);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), n(7)) - utcOffsetMinutes * 60_000;
}

export const card = (token: string, over: Partial<CardFacts> = {}): CardFacts => ({
  token,
  kid: 'k1',
  parToken: null,
  expiry: '2030-12',
  ...over,
});

export const entry = (list: ListName, token: string, over: Partial<ListEntry> = {}): ListEntry => ({
  list,
  token,
  category: null,
  validFrom: null,
  validTo: null,
  attrs: {},
  ...over,
});

const FRESH: ListState = { version: 1, stale: false, loaded: true };

export type Expect = [Outcome, ReasonCode, Record<string, unknown>?];

export type Step =
  | { readonly at: string; readonly card?: CardFacts; readonly context?: Partial<DeviceContext>; readonly expect: Expect }
  /** The device reboots at this real time: new bootId, monotonic clock restarts. */
  | { readonly at: string; readonly reboot: true }
  /** The wall clock is stepped by this much (negative = backwards); monotonic time is unaffected. */
  | { readonly wallJumpMs: number };

export interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly entries?: readonly ListEntry[];
  readonly lists?: Partial<Record<ListName, Partial<ListState>>>;
  readonly context?: Partial<DeviceContext>;
  readonly rules?: ProfileRules;
  /** Usage already on the device before the scenario (newest first). */
  readonly history?: readonly UsageEvent[];
}

export interface Base {
  readonly rules: ProfileRules;
  readonly context: DeviceContext;
  readonly card: CardFacts;
  readonly entries: readonly ListEntry[];
  readonly toleranceMs?: number;
}

export interface StepResult {
  readonly decision: Decision;
  readonly input: DecisionInput;
}

/** Runs the scenario; returns the decision of every tap step, in order. */
export function runScenario(base: Base, sc: Scenario): StepResult[] {
  const context: DeviceContext = { ...base.context, ...sc.context };
  const rules = sc.rules ?? base.rules;
  const lists: Partial<Record<ListName, ListState>> = {};
  for (const name of ['benefit', 'stoplist', 'roster', 'canteen'] as const) {
    lists[name] = { ...FRESH, ...sc.lists?.[name] };
  }
  const histories = new Map<string, UsageEvent[]>([[base.card.token, [...(sc.history ?? [])]]]);
  let seq = 1000;
  let realMs: number | null = null;
  let wallErrorMs = 0;
  let boot = 1;
  let bootRealMs = 0;
  let clock: ClockGuardState | null = null;
  const out: StepResult[] = [];

  for (const step of sc.steps) {
    if ('wallJumpMs' in step) {
      wallErrorMs += step.wallJumpMs;
      continue;
    }
    const now = at(step.at, context.utcOffsetMinutes);
    if (realMs !== null && now < realMs) throw new Error(`steps go back in time at ${step.at}`);
    if (realMs === null) bootRealMs = now - 3_600_000; // booted an hour before the first step
    realMs = now;
    if ('reboot' in step) {
      boot += 1;
      bootRealMs = now;
      continue;
    }
    const reading = { wallMs: now + wallErrorMs, monoMs: now - bootRealMs, bootId: `boot-${boot}` };
    const trusted = trustTime(clock, reading, base.toleranceMs ?? 2_000);
    clock = trusted.next;
    const tapCard = step.card ?? base.card;
    const ctx = { ...context, ...step.context };
    const q = historyQuery(rules, trusted.time, ctx.utcOffsetMinutes);
    const all = histories.get(tapCard.token) ?? [];
    const input: DecisionInput = {
      card: tapCard,
      entries: (sc.entries ?? base.entries).filter((e) => e.token === tapCard.token || e.token === tapCard.parToken),
      context: ctx,
      rules,
      history: all.filter((e) => e.wallMs > q.sinceWallMs).slice(0, q.limit),
      lists,
      time: trusted.time,
    };
    const decision = decide(input);
    const usage = usageOf(decision, trusted.time);
    if (usage) histories.set(tapCard.token, [{ ...usage, seq: seq++ }, ...all]);
    out.push({ decision, input });
  }
  return out;
}

/** The tap steps of a scenario with their expectations, in order. */
export function expectations(sc: Scenario): { at: string; expect: Expect }[] {
  return sc.steps.flatMap((s) => ('expect' in s ? [{ at: s.at, expect: s.expect }] : []));
}
