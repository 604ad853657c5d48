/**
 * The terminal's domain model: what the decision core reads and returns, what the store keeps.
 * Pure types only. Money is in kopecks (integers). Local dates and times are in the device's
 * configured UTC offset (Russia has no DST since 2014), computed by the core from wall-clock ms.
 */

export type Profile = 'bus' | 'gate' | 'canteen';
export type ListName = 'benefit' | 'stoplist' | 'roster' | 'canteen';
export const LIST_NAMES: readonly ListName[] = ['benefit', 'stoplist', 'roster', 'canteen'];

/** The lists each profile needs. */
export const PROFILE_LISTS: Readonly<Record<Profile, readonly ListName[]>> = {
  bus: ['stoplist', 'benefit'],
  gate: ['stoplist', 'roster'],
  canteen: ['stoplist', 'roster', 'canteen'],
};

/** One row of a list, keyed by card token (PAN token or PAR token). */
export interface ListEntry {
  readonly list: ListName;
  readonly token: string;
  /** Benefit category (benefit list), meal category (canteen list); null elsewhere. */
  readonly category: string | null;
  /** Inclusive local dates YYYY-MM-DD; null = open. */
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly attrs: ListEntryAttrs;
}

export interface ListEntryAttrs {
  /** stoplist: reason code, e.g. LOST, STOLEN, FRAUD, BENEFIT_REVOKED. */
  readonly reason?: string;
  /** roster/canteen */
  readonly schoolId?: string;
  readonly classId?: string;
  readonly role?: 'student' | 'staff';
  /** canteen: daily allowance for paid meals. */
  readonly dailyAllowanceKopecks?: number;
  /** benefit: trips already counted by the server in `usedPeriod`, as of `usedAsOfMs`. */
  readonly usedInPeriod?: number;
  readonly usedPeriod?: string;
  readonly usedAsOfMs?: number;
}

export interface ListMeta {
  readonly list: ListName;
  readonly version: number;
  /** Signed freshness: after this instant the list is stale (restricted mode). */
  readonly expiresAtMs: number;
  readonly issuedAtMs: number;
  readonly count: number;
}

/** Time as the core sees it: already checked by the clock guard. */
export interface TrustedTime {
  /** Wall-clock epoch ms, trusted (corrected when the clock jumped backwards). */
  readonly wallMs: number;
  /** Monotonic ms since boot `bootId`; used for short windows (repeat, companion). */
  readonly monoMs: number;
  readonly bootId: string;
  /** True when the wall clock misbehaved (jumped backwards beyond tolerance, or never set). */
  readonly clockFault: boolean;
}

export type UsageKind = 'RIDE' | 'COMPANION' | 'PASSAGE' | 'MEAL';
export type Direction = 'IN' | 'OUT';

/** One counted (or repeat-relevant) event of a token on this device: the recent local history. */
export interface UsageEvent {
  readonly seq: number;
  readonly wallMs: number;
  readonly monoMs: number;
  readonly bootId: string;
  readonly kind: UsageKind;
  readonly direction?: Direction;
  /** canteen: meal window id, e.g. "lunch"; local date is derived from wallMs. */
  readonly mealWindow?: string;
  /** Money counted: fare for rides, price for paid meals; 0 when free. */
  readonly amountKopecks: number;
  readonly free: boolean;
}

export interface DeviceContext {
  readonly deviceId: string;
  readonly profile: Profile;
  /** bus */
  readonly routeId?: string;
  readonly carrierId?: string;
  readonly vehicleId?: string;
  /** gate, canteen */
  readonly schoolId?: string;
  /** gate: the direction this reader serves. */
  readonly direction?: Direction;
  /** Device local time offset from UTC, minutes (Moscow = 180). */
  readonly utcOffsetMinutes: number;
}

/** What the reader produced, PAN-free. */
export interface CardFacts {
  readonly token: string;
  readonly kid: string;
  readonly parToken: string | null;
  /** Card expiry YYYY-MM (the card is valid through the end of that month). */
  readonly expiry: string;
}

export type Outcome = 'ALLOW' | 'DENY' | 'REPEAT' | 'NOT_ENROLLED';
