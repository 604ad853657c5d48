/**
 * Restricted mode: a list the profile needs (PROFILE_LISTS) has outlived its signed freshness,
 * or was never loaded. The device keeps working on what it has, with limits, and flags every
 * tap (`flags.staleList`; `flags.restricted` on decisions about an entitlement). Per profile
 * (docs/restricted-mode.md is the operator's version):
 *
 * - bus: the stop-list is still applied; benefit rides are still granted from the benefit list
 *   as it stands, quotas included, but at most `restricted.maxRidesPerDayWhenStale` RIDEs per
 *   card per local day on this device (companions aside); beyond that RESTRICTED_LIMIT.
 *   A card missing from a never-loaded benefit list is NOT_ENROLLED.
 * - gate: the stop-list is still applied; people on the (stale) roster pass under the usual
 *   schedule, holiday and anti-passback rules; nobody else does.
 * - canteen: the stop-list is still applied; free meals by the stale list are served; paid meals
 *   are served up to the allowance and at most `restricted.maxPaidKopecksPerDayWhenStale` per
 *   card per local day; beyond that RESTRICTED_LIMIT.
 */
import type { ListState } from './decision.js';
import { PROFILE_LISTS, type ListName, type Profile } from './model.js';

export interface RestrictedStatus {
  readonly restricted: boolean;
  /** The profile's lists that are stale or missing, for the device's status screen. */
  readonly staleLists: readonly ListName[];
}

export function restrictedStatus(
  profile: Profile,
  lists: Readonly<Partial<Record<ListName, ListState>>>,
): RestrictedStatus {
  const staleLists = PROFILE_LISTS[profile].filter((name) => {
    const state = lists[name];
    return state === undefined || state.stale || !state.loaded;
  });
  return { restricted: staleLists.length > 0, staleLists };
}

export function inRestrictedMode(profile: Profile, lists: Readonly<Partial<Record<ListName, ListState>>>): boolean {
  return restrictedStatus(profile, lists).restricted;
}
