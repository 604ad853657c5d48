/**
 * What every profile's decision shares: the card's list entries, validity dates, the stop-list,
 * restricted mode, flags, and the Decision builder.
 */
import type { Decision } from './decision.js';
import type { DecisionInput } from './decision.js';
import { localTime, type LocalTime } from './local-time.js';
import type { ListEntry, ListName, Outcome } from './model.js';
import { said, type Said } from './reasons.js';
import { inRestrictedMode } from './restricted-mode.js';

export interface DecideEnv {
  readonly input: DecisionInput;
  /** The trusted instant in the device's local time. */
  readonly now: LocalTime;
  /** A list this profile needs is stale or missing: restricted mode (restricted-mode.ts). */
  readonly stale: boolean;
}

export function envOf(input: DecisionInput): DecideEnv {
  return {
    input,
    now: localTime(input.time.wallMs, input.context.utcOffsetMinutes),
    stale: inRestrictedMode(input.context.profile, input.lists),
  };
}

export interface DecisionParts {
  readonly counted?: Decision['counted'];
  readonly direction?: Decision['direction'];
  readonly fare?: Decision['fare'];
  readonly meal?: Decision['meal'];
  readonly amountKopecks?: number;
  /**
   * The card reached its entitlement (benefit, roster or canteen entry): under restricted mode
   * such a decision is flagged `restricted`.
   */
  readonly entitled?: boolean;
}

export function make(env: DecideEnv, outcome: Outcome, s: Said, parts: DecisionParts = {}): Decision {
  return {
    outcome,
    reason: s.reason,
    message: s.message,
    counted: parts.counted ?? null,
    ...(parts.direction !== undefined && { direction: parts.direction }),
    ...(parts.fare !== undefined && { fare: parts.fare }),
    ...(parts.meal !== undefined && { meal: parts.meal }),
    amountKopecks: parts.amountKopecks ?? 0,
    flags: {
      staleList: env.stale,
      restricted: env.stale && parts.entitled === true,
      clockFault: env.input.time.clockFault,
    },
  };
}

/** A refusal by an entitlement rule (the card was found on its list). */
export function refuse(env: DecideEnv, s: Said): Decision {
  return make(env, 'DENY', s, { entitled: true });
}

function isCardToken(env: DecideEnv, token: string): boolean {
  const card = env.input.card;
  return token === card.token || (card.parToken !== null && token === card.parToken);
}

export type Validity = 'VALID' | 'NOT_YET' | 'ENDED';

/** Inclusive local dates; null bounds are open. */
export function validity(entry: ListEntry, date: string): Validity {
  if (entry.validFrom !== null && date < entry.validFrom) return 'NOT_YET';
  if (entry.validTo !== null && date > entry.validTo) return 'ENDED';
  return 'VALID';
}

/**
 * The card's entry in `list` that satisfies `accept`: the PAN token's entry first, then the
 * PAR token's (a phone wallet maps to the same benefit through the PAR).
 */
export function findEntry(
  env: DecideEnv,
  list: ListName,
  accept: (e: ListEntry) => boolean = () => true,
): ListEntry | undefined {
  const found = env.input.entries.filter((e) => e.list === list && isCardToken(env, e.token) && accept(e));
  return found.find((e) => e.token === env.input.card.token) ?? found[0];
}

/**
 * Checks before any profile rule: rules and device fit the profile, and the card (PAN or PAR
 * token) is not on the stop-list (in force on today's date). The stop-list is applied even
 * when stale: it is the best knowledge the device has.
 */
export function preChecks(env: DecideEnv): Decision | null {
  const { rules, context } = env.input;
  if (rules.profile !== context.profile) return make(env, 'DENY', said('DEVICE_NOT_CONFIGURED'));
  const blocked = findEntry(env, 'stoplist', (e) => validity(e, env.now.date) === 'VALID');
  if (blocked) return make(env, 'DENY', said('STOPLISTED'));
  return null;
}
