/**
 * The gateway's own heartbeat (topics.gatewayStatus, retained), a pure function of its state.
 *
 * Its terminals: `terminals` lists those whose latest status (heartbeat or last will) is online;
 * alarms summarise the rest: TERMINALS_OFFLINE (a known terminal's last word was its last will),
 * TERMINAL_ALARMS (an online terminal reports alarms, restricted mode, a clock fault or a stale
 * list). Each terminal's full status goes up separately on rescard/v1/gw/{id}/terminals (the
 * server's broker lets a client publish only under its own id, so the gateway cannot re-publish
 * rescard/v1/dev/{terminal}/status); see app/terminal-status.ts.
 */
import type { Heartbeat, ListAnnounce } from '@rescard/shared';

export interface GatewayHeartbeatInput {
  readonly gatewayId: string;
  readonly nowMs: number;
  readonly appVersion: string;
  readonly outbox: { readonly depth: number; readonly capacity: number; readonly oldestReceivedAtMs: number | null };
  readonly terminals: ReadonlyMap<string, Heartbeat>;
  /** Announcements held, with when they were cached, and the freshness expiry of their audience. */
  readonly lists: readonly { readonly announce: ListAnnounce; readonly cachedAtMs: number; readonly freshUntilMs: number | null }[];
  readonly latenciesMs: readonly number[];
  readonly alarms: readonly string[];
}

// The queue alarm: the outbox is this full (then terminals are about to be refused).
const QUEUE_ALARM_RATIO = 0.8;
const MAX_TERMINALS = 1000;

export function buildGatewayHeartbeat(i: GatewayHeartbeatInput): Heartbeat {
  const online: string[] = [];
  let offline = false;
  let troubled = false;
  for (const [id, hb] of i.terminals) {
    if (!hb.online) {
      offline = true;
      continue;
    }
    online.push(id);
    const staleList = Object.values(hb.lists).some((l) => l?.stale === true);
    if (hb.alarms.length > 0 || hb.restricted || hb.clockFault || staleList) troubled = true;
  }
  const lists: Extract<Heartbeat, { online: true }>['lists'] = {};
  for (const l of i.lists) {
    const prev = lists[l.announce.list];
    if (prev !== undefined && prev.version <= l.announce.version) continue; // several audiences: the lowest version
    lists[l.announce.list] = { version: l.announce.version, ageMs: Math.max(0, i.nowMs - l.cachedAtMs), stale: l.freshUntilMs === null || l.freshUntilMs <= i.nowMs };
  }
  const alarms = [...i.alarms, ...(offline ? ['TERMINALS_OFFLINE'] : []), ...(troubled ? ['TERMINAL_ALARMS'] : [])];
  return {
    v: 1,
    deviceId: i.gatewayId,
    kind: 'gateway',
    online: true,
    atMs: i.nowMs,
    appVersion: i.appVersion.slice(0, 32),
    profile: 'gateway',
    queue: {
      depth: i.outbox.depth,
      capacity: i.outbox.capacity,
      alarm: i.outbox.depth >= i.outbox.capacity * QUEUE_ALARM_RATIO,
      oldestAgeMs: i.outbox.oldestReceivedAtMs === null ? null : Math.max(0, i.nowMs - i.outbox.oldestReceivedAtMs),
    },
    lists,
    restricted: false,
    clockFault: false,
    tapLatencyMs: { p50: percentile(i.latenciesMs, 0.5), p99: percentile(i.latenciesMs, 0.99) },
    alarms: alarms.slice(0, 32),
    terminals: online.sort().slice(0, MAX_TERMINALS),
  };
}

function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
