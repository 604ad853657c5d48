/**
 * Input and output of the pure decision core: `decide(input) -> Decision`.
 * No I/O, no clock reads: everything the core needs arrives in DecisionInput.
 */
import type {
  CardFacts,
  DeviceContext,
  Direction,
  ListEntry,
  ListName,
  Outcome,
  TrustedTime,
  UsageEvent,
  UsageKind,
} from './model.js';
import type { ProfileRules } from './rules.js';

export interface ListState {
  readonly version: number;
  /** The list's signed freshness has expired, or the list was never loaded. */
  readonly stale: boolean;
  readonly loaded: boolean;
}

export interface DecisionInput {
  readonly card: CardFacts;
  /** Entries found for the card's PAN token and PAR token, in every list the profile uses. */
  readonly entries: readonly ListEntry[];
  readonly context: DeviceContext;
  readonly rules: ProfileRules;
  /** This token's recent local history on this device, newest first (bounded by the store). */
  readonly history: readonly UsageEvent[];
  readonly lists: Readonly<Partial<Record<ListName, ListState>>>;
  readonly time: TrustedTime;
}

export interface Message {
  readonly ru: string;
  readonly en: string;
}

export interface Decision {
  readonly outcome: Outcome;
  /** Stable reason code, e.g. OK_FREE, STOPLISTED, QUOTA_EXHAUSTED (see core/reasons.ts). */
  readonly reason: string;
  /** What the passenger/student sees. Never reveals a benefit category on a canteen till. */
  readonly message: Message;
  /** What is counted by this tap; null when nothing is counted (deny, repeat, not enrolled). */
  readonly counted: UsageKind | null;
  readonly direction?: Direction;
  readonly fare?: { readonly type: 'FREE' | 'DISCOUNT'; readonly kopecks: number; readonly category: string };
  readonly meal?: {
    readonly window: string;
    readonly free: boolean;
    readonly priceKopecks: number;
    /** Allowance left today after this meal (shown on the till for free and paid meals alike). */
    readonly remainingKopecks: number;
  };
  /** Money counted, for the usage history (0 when free or not counted). */
  readonly amountKopecks: number;
  readonly flags: {
    /** A list used for this decision was stale. */
    readonly staleList: boolean;
    /** The decision was taken under the profile's restricted mode. */
    readonly restricted: boolean;
    readonly clockFault: boolean;
  };
}
