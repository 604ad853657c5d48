/**
 * Profile rules: configured data, not code. JSON-friendly; checked by `validateRules`
 * (validate-rules.ts) at start, so the decision core can trust their shape.
 *
 * Conventions: windows are half-open — a time window [from, to) in local 'HH:MM' ('24:00' may end
 * a day; a window never crosses midnight: split it in two); elapsed-time windows hold while
 * elapsed < N. Money in integer kopecks.
 */
import type { PeriodKind } from './local-time.js';

export type { PeriodKind } from './local-time.js';

export interface QuotaRule {
  readonly period: PeriodKind;
  /** Counted rides (RIDE, not COMPANION) allowed per period; resets with the period, no carry-over. */
  readonly limit: number;
}

export interface CompanionRule {
  /** A companion may be registered while less than this has elapsed since the holder's RIDE. */
  readonly windowMin: number;
  /** Companions per holder's RIDE. */
  readonly maxCompanions: number;
  /**
   * Bounce guard: a tap sooner than this after the previous counted tap is a REPEAT, not a
   * companion (a card left in the field or tapped twice by reflex). Default
   * DEFAULT_COMPANION_MIN_GAP_SEC.
   */
  readonly minGapSec?: number;
}

export const DEFAULT_COMPANION_MIN_GAP_SEC = 3;

export interface BusCategoryRule {
  readonly ride: 'FREE' | 'DISCOUNT';
  /** DISCOUNT only: integer 1..99; payable = round-half-up(full × (100 − p) / 100) kopecks. */
  readonly discountPercent?: number;
  readonly quota?: QuotaRule;
  readonly companion?: CompanionRule;
}

export interface BusRules {
  readonly profile: 'bus';
  /** A second tap sooner than this after a counted one is a REPEAT (not counted again). */
  readonly repeatWindowSec: number;
  /** By benefit category (the benefit list entry's `category`). */
  readonly categories: Readonly<Record<string, BusCategoryRule>>;
  /** Full fare by route id; routes not listed use `defaultFullKopecks`. */
  readonly fares: Readonly<Record<string, { readonly fullKopecks: number }>>;
  readonly defaultFullKopecks: number;
  readonly restricted: {
    /** Under stale lists: benefit RIDEs per card per local day on this device (companions aside). */
    readonly maxRidesPerDayWhenStale: number;
  };
}

/** A weekly time window, local time. */
export interface TimeWindow {
  /** ISO weekdays 1 = Monday .. 7 = Sunday. */
  readonly days: readonly number[];
  readonly from: string;
  readonly to: string;
}

export interface GateRules {
  readonly profile: 'gate';
  /** When entry (IN) is open, by role. Exits are never refused by schedule (see decide-gate.ts). */
  readonly schedules: { readonly student: readonly TimeWindow[]; readonly staff: readonly TimeWindow[] };
  /** Local dates YYYY-MM-DD when the school is closed to entry. */
  readonly holidays: readonly string[];
  readonly antiPassback: {
    readonly enabled: boolean;
    /** Local time of the nightly reset: passages before it are forgotten. */
    readonly resetAtLocal: string;
  };
  /** Staff pass at any time, on holidays, and without anti-passback. */
  readonly staffOverride: boolean;
  /** A second tap in the same direction sooner than this is a REPEAT (not counted again). */
  readonly repeatWindowSec: number;
}

export interface MealWindow {
  /** e.g. 'breakfast', 'lunch'; recorded with the meal. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Price of a paid meal in this window (from the menu). */
  readonly priceKopecks: number;
}

export interface CanteenRules {
  readonly profile: 'canteen';
  /** Non-overlapping; a tap outside all of them is refused. */
  readonly windows: readonly MealWindow[];
  /** Meal category (canteen list entry `category`) → windows with a free meal, once per window per day. */
  readonly freeMeals: Readonly<Record<string, readonly string[]>>;
  readonly restricted: {
    /** Under stale lists: paid meals per card per local day are capped at this sum (and the allowance). */
    readonly maxPaidKopecksPerDayWhenStale: number;
  };
}

export type ProfileRules = BusRules | GateRules | CanteenRules;

export { validateRules } from './validate-rules.js';
