/**
 * The latest status of each terminal on the local broker (rescard/v1/dev/+/status: heartbeats,
 * retained, and last wills), validated, kept in memory and in gateway.db (so a restarted gateway
 * still knows its terminals). Bounded at MAX_TERMINALS (heartbeatSchema's limit for `terminals`):
 * a new terminal beyond it is counted as rejected and ignored. The gateway's heartbeat summarises
 * them upstream, and `relay` hands out each terminal's full latest status, with when the gateway
 * received it, for rescard/v1/gw/{id}/terminals: the changed ones at each heartbeat, all of them
 * after a reconnect (the server keeps the newest per terminal, so a repeat changes nothing).
 */
import { decodePayload, heartbeatSchema, parseTopic, type Heartbeat, type TerminalStatuses } from '@rescard/shared';
import type { Logger } from 'pino';
import type { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import type { Rejects } from './rejects.js';

const MAX_TERMINALS = 1000;

export class TerminalStatusBook {
  private readonly latest = new Map<string, Heartbeat>();
  private readonly receivedAt = new Map<string, number>();
  /** Terminals whose status changed since it was last relayed upstream. */
  private readonly unrelayed = new Set<string>();

  constructor(
    private readonly state: SqliteRelayState,
    private readonly rejects: Rejects,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    for (const row of state.allTerminalStatus()) {
      const d = decodePayload(heartbeatSchema, row.payload);
      if (d.ok) {
        this.latest.set(row.deviceId, d.value);
        this.receivedAt.set(row.deviceId, row.atMs);
        this.unrelayed.add(row.deviceId);
      }
    }
  }

  /** Statuses to relay upstream (all, or those changed since they were last relayed). */
  relay(all: boolean): TerminalStatuses['statuses'][number][] {
    const ids = all ? [...this.latest.keys()] : [...this.unrelayed];
    return ids.map((id) => ({ receivedAtMs: this.receivedAt.get(id) ?? 0, status: this.latest.get(id)! }));
  }

  /** The server has these (acknowledged at QoS 1): no need to send them again unless they change. */
  relayed(sent: readonly { readonly receivedAtMs: number; readonly status: Heartbeat }[]): void {
    for (const s of sent) if (this.receivedAt.get(s.status.deviceId) === s.receivedAtMs) this.unrelayed.delete(s.status.deviceId);
  }

  get terminals(): ReadonlyMap<string, Heartbeat> {
    return this.latest;
  }

  readonly onMessage = (topic: string, payload: Buffer): void => {
    const t = parseTopic(topic);
    if (t?.kind !== 'deviceStatus') return;
    if (payload.length === 0) return; // a retained message being cleared
    const d = decodePayload(heartbeatSchema, payload);
    if (!d.ok) return this.rejects.add('status', d.reason, { topic, detail: d.detail });
    const hb = d.value;
    if (hb.deviceId !== t.deviceId) return this.rejects.add('status', 'id-mismatch', { topic, deviceId: hb.deviceId });
    if (hb.online && hb.kind !== 'terminal') return this.rejects.add('status', 'kind', { topic });
    if (!this.latest.has(hb.deviceId) && this.latest.size >= MAX_TERMINALS) return this.rejects.add('status', 'too-many-terminals', { topic });
    const was = this.latest.get(hb.deviceId);
    const atMs = this.now();
    this.latest.set(hb.deviceId, hb);
    this.receivedAt.set(hb.deviceId, atMs);
    this.unrelayed.add(hb.deviceId);
    if (was?.online !== hb.online) this.log.info({ deviceId: hb.deviceId, online: hb.online }, 'terminal status');
    try {
      this.state.putTerminalStatus(hb.deviceId, payload.toString('utf8'), atMs);
    } catch (err) {
      this.log.error({ err, deviceId: hb.deviceId }, 'storing terminal status failed');
    }
  };
}
