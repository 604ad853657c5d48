/**
 * The heartbeat (protocol v1 `heartbeatSchema`), built from what the device knows. Pure: the
 * caller reads the journal, lists, clock and latencies and passes them in.
 *
 * queue.oldestAgeMs is the age of the oldest tap still in the journal, i.e. not yet committed
 * by the next hop (sent or not). Latency figures are nearest-rank percentiles of the terminal's
 * bounded ring of recent taps (token to feedback), null before the first tap.
 */
import { encodePayload, type Heartbeat } from '@rescard/shared';
import type { ListState } from '../core/decision.js';
import type { ListMeta, ListName, Profile } from '../core/model.js';
import { PROFILE_LISTS } from '../core/model.js';
import { restrictedStatus } from '../core/restricted-mode.js';
import type { JournalStats } from '../ports/tap-journal.js';

export interface HeartbeatInput {
  readonly deviceId: string;
  readonly profile: Profile;
  readonly appVersion: string;
  readonly nowMs: number;
  readonly journal: JournalStats;
  readonly lists: readonly ListMeta[];
  readonly clockFault: boolean;
  readonly latenciesMs: readonly number[];
  /** Further alarm codes (e.g. from the uplink), reported as they are. */
  readonly alarms?: readonly string[];
}

type OnlineHeartbeat = Extract<Heartbeat, { online: true }>;

const MAX_ALARMS = 32; // the schema's bound; further alarms are cut (the first ones are the serious ones)

export function buildHeartbeat(input: HeartbeatInput): OnlineHeartbeat {
  const { nowMs, journal } = input;
  const metas = new Map(input.lists.map((m) => [m.list, m]));
  const lists: OnlineHeartbeat['lists'] = {};
  const states: Partial<Record<ListName, ListState>> = {};
  for (const name of PROFILE_LISTS[input.profile]) {
    const m = metas.get(name);
    const stale = !m || m.expiresAtMs <= nowMs;
    lists[name] = { version: m?.version ?? 0, ageMs: m ? Math.max(0, nowMs - m.issuedAtMs) : null, stale };
    states[name] = { version: m?.version ?? 0, stale, loaded: m !== undefined };
  }
  const { restricted, staleLists } = restrictedStatus(input.profile, states);
  const alarms = [
    ...(journal.alarm ? ['JOURNAL_ALARM'] : []),
    ...(restricted ? ['RESTRICTED_MODE'] : []),
    ...(input.clockFault ? ['CLOCK_FAULT'] : []),
    ...staleLists.map((l) => `LIST_STALE:${l}`),
    ...(input.alarms ?? []),
  ];
  return {
    v: 1,
    deviceId: input.deviceId,
    kind: 'terminal',
    online: true,
    atMs: nowMs,
    appVersion: input.appVersion.slice(0, 32),
    profile: input.profile,
    queue: {
      depth: journal.depth,
      capacity: journal.capacity,
      alarm: journal.alarm,
      oldestAgeMs: journal.oldestWallMs === null ? null : Math.max(0, nowMs - journal.oldestWallMs),
    },
    lists,
    restricted,
    clockFault: input.clockFault,
    tapLatencyMs: { p50: percentile(input.latenciesMs, 50), p99: percentile(input.latenciesMs, 99) },
    alarms: alarms.slice(0, MAX_ALARMS).map((a) => a.slice(0, 64)),
  };
}

/** Nearest-rank percentile; null for no samples. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.max(0, sorted[rank - 1]!);
}

/** The last will and the graceful goodbye: retained on the device's status topic. */
export function offlineStatus(deviceId: string): Buffer {
  return encodePayload({ v: 1, deviceId, online: false } as const);
}
