/**
 * The gateway's heartbeat input, gathered from the running parts (outbox, terminal book, the
 * relayed lists and freshness in gateway.db). The heartbeat itself is core/gateway-heartbeat.ts.
 */
import { decodePayload, freshnessSchema, listAnnounceSchema, parseTopic, type Heartbeat, type ListAnnounce } from '@rescard/shared';
import type { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import { buildGatewayHeartbeat } from '../core/gateway-heartbeat.js';
import type { Outbox } from '../ports/outbox.js';

export interface StatusSources {
  readonly gatewayId: string;
  readonly appVersion: string;
  readonly outbox: Outbox;
  readonly state: SqliteRelayState;
  readonly terminals: () => ReadonlyMap<string, Heartbeat>;
  readonly latenciesMs: () => readonly number[];
  readonly alarms: () => string[];
  readonly now: () => number;
}

export function heldLists(state: SqliteRelayState): { announce: ListAnnounce; cachedAtMs: number; freshUntilMs: number | null }[] {
  const fresh = new Map<string, { lists: Partial<Record<string, number>>; expiresAtMs: number }>();
  const announced: { announce: ListAnnounce; cachedAtMs: number }[] = [];
  for (const m of state.allRetained()) {
    const t = parseTopic(m.topic);
    if (t?.kind === 'freshness') {
      const d = decodePayload(freshnessSchema, m.payload);
      if (d.ok) fresh.set(t.audience, { lists: d.value.lists, expiresAtMs: Date.parse(d.value.expiresAt) });
    } else if (t?.kind === 'list') {
      const d = decodePayload(listAnnounceSchema, m.payload);
      if (d.ok) announced.push({ announce: d.value, cachedAtMs: m.updatedAtMs });
    }
  }
  return announced.map((a) => {
    const f = fresh.get(a.announce.audience);
    const freshUntilMs = f !== undefined && f.lists[a.announce.list] === a.announce.version && Number.isFinite(f.expiresAtMs) ? f.expiresAtMs : null;
    return { ...a, freshUntilMs };
  });
}

export function gatewayHeartbeat(s: StatusSources): Heartbeat {
  return buildGatewayHeartbeat({
    gatewayId: s.gatewayId,
    nowMs: s.now(),
    appVersion: s.appVersion,
    outbox: s.outbox.stats(),
    terminals: s.terminals(),
    lists: heldLists(s.state),
    latenciesMs: s.latenciesMs(),
    alarms: s.alarms(),
  });
}
