/**
 * ListStore: the device's cached lists (benefit, stop-list, roster, canteen) and the
 * per-token usage history the core needs. Lookups are by primary key on the token, so they do
 * not slow down as lists grow to 10M entries.
 */
import type { ListEntry, ListMeta, ListName, UsageEvent } from '../core/model.js';

export interface ListDelta {
  readonly meta: ListMeta;
  /** The delta applies only on top of exactly this version. */
  readonly baseVersion: number;
  readonly upserts: readonly ListEntry[];
  /** Tokens removed from the list. */
  readonly deletes: readonly string[];
}

/** How a stepwise swap (ListStore.replaceListInSteps) shares the device. */
export interface SwapSteps {
  readonly rowsPerStep: number;
  /** Awaited between steps: a macrotask at least, so pending I/O (a card) runs first. */
  readonly between: () => Promise<void>;
}

/** How much one ListStore.compact() call may do. */
export interface CompactLimits {
  /** Pending delta rows to fold (each touches a random page of the list: a few ms per 256). */
  readonly foldRows: number;
  /** Rows of replaced snapshots to delete (contiguous pages: cheap, ~1 ms per 1,000). */
  readonly dropRows: number;
}

export interface ListStore {
  /** Every entry for any of these tokens in any of these lists. */
  lookup(tokens: readonly string[], lists: readonly ListName[]): ListEntry[];
  /** The token's usage events newer than `sinceWallMs`, newest first, at most `limit`. */
  history(token: string, sinceWallMs: number, limit: number): UsageEvent[];
  /** Metadata of every loaded list. */
  meta(): ListMeta[];
  /**
   * Replace a whole list with a snapshot, atomically (readers see the old or the new list,
   * never a mix). Refuses a version that is not newer than the current one (no rollback):
   * RescardError LIST_VERSION_ROLLBACK.
   */
  replaceList(meta: ListMeta, entries: Iterable<ListEntry>): void;
  /**
   * replaceList without holding the database for the whole swap: the new entries are written
   * `rowsPerStep` at a time, each step its own transaction, and `between()` is awaited between
   * steps (taps are served there). Readers keep the old list until the last step, which checks
   * the version again and puts the new list in force in one transaction. On any failure (bad
   * entry, payload hash, a newer version loaded meanwhile) the old list stays and the rows written
   * so far are deleted.
   */
  replaceListInSteps(meta: ListMeta, entries: Iterable<ListEntry>, steps: SwapSteps): Promise<void>;
  /**
   * Apply a delta in one transaction that also records the new version. Refuses a base version
   * other than the current one: RescardError LIST_BASE_MISMATCH. Nothing is half-applied.
   */
  applyDelta(delta: ListDelta): void;
  /**
   * Housekeeping in one short transaction: fold at most `foldRows` rows of applied deltas into
   * the lists, then delete at most `dropRows` rows of replaced snapshots. Returns how many rows
   * it handled (0: nothing left). No lookup answer and no meta changes. A store that applies
   * deltas and snapshots in place always returns 0.
   */
  compact(limits: CompactLimits): number;
  /**
   * Signed freshness (issue 4): if the list is held at exactly `version`, move its expiresAtMs
   * forward to `expiresAtMs` (never back), in one transaction that re-checks the version.
   * Returns true when the expiry moved.
   */
  extendFreshness(list: ListName, version: number, expiresAtMs: number): boolean;
}
