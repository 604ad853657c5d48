/**
 * TapJournal: the durable record of every tap, committed before any feedback is shown.
 *
 * Bound and overflow policy: the journal holds at most `capacityTaps` undelivered taps. At 80%
 * it raises an alarm (stats().alarm, heartbeat later). At 100% `append` throws JOURNAL_FULL and
 * the terminal refuses taps with an out-of-service message until the uplink drains the journal:
 * back-pressure, never dropping a recorded tap. Sequence numbers are never reused, even after
 * a crash or after delivered rows are deleted.
 */
import type { Decision } from '../core/decision.js';
import type { DeviceContext, ListName, UsageEvent } from '../core/model.js';
import type { TapPosition } from './position.js';

/** A tap as the terminal records it. Carries no PAN: token and masked PAN only. */
export interface NewTap {
  readonly tapId: string;
  readonly wallMs: number;
  readonly monoMs: number;
  readonly bootId: string;
  readonly token: string;
  readonly kid: string;
  readonly parToken: string | null;
  readonly panMasked: string;
  readonly scheme: string;
  readonly context: DeviceContext;
  readonly decision: Decision;
  readonly listVersions: Readonly<Partial<Record<ListName, number>>>;
  /** Card read time, for latency figures. */
  readonly readMs: number;
  /** bus: position, speed, fix quality and stop at the tap (flagged NO_FIX / STALE, never guessed). */
  readonly position?: TapPosition;
  /**
   * gate with a turnstile: PENDING on the grant (nothing counted yet); the follow-up record of
   * the same card says PASSED (the sensor confirmed: counted for attendance and anti-passback)
   * or NOT_PASSED, and names the grant in refTapId.
   */
  readonly passage?: 'PENDING' | 'PASSED' | 'NOT_PASSED';
  readonly refTapId?: string;
}

export interface TapRecord extends NewTap {
  readonly seq: number;
}

/** The usage event to record with the tap (same transaction), when the decision counted. */
export type NewUsage = Omit<UsageEvent, 'seq'>;

export interface JournalStats {
  readonly depth: number;
  readonly capacity: number;
  /** True at or above 80% of capacity. */
  readonly alarm: boolean;
  readonly oldestWallMs: number | null;
  /** The sequence number the next tap will get. */
  readonly nextSeq: number;
}

export interface TapJournal {
  /** Assign the next seq and commit tap + usage durably (synchronous=FULL) in one transaction. */
  append(tap: NewTap, usage: NewUsage | null): TapRecord;
  /** Undelivered taps in seq order, starting after `afterSeq`. */
  pending(limit: number, afterSeq?: number): TapRecord[];
  /** The next durable hop committed every tap up to and including `seq`: delete them. */
  ackUpTo(seq: number): number;
  stats(): JournalStats;
}
