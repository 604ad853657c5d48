/**
 * The latest status of each terminal on the local broker (rescard/v1/dev/+/status: heartbeats,
 * retained, and last wills), validated, kept in memory and in gateway.db (so a restarted gateway
 * still knows its terminals). Bounded at MAX_TERMINALS (heartbeatSchema's limit for `terminals`):
 * a new terminal beyond it is counted as rejected and ignored. The gateway's heartbeat summarises
 * them upstream (core/gateway-heartbeat.ts explains why they are included, not re-published).
 */
import { decodePayload, heartbeatSchema, parseTopic, type Heartbeat } from '@rescard/shared';
import type { Logger } from 'pino';
import type { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import type { Rejects } from './rejects.js';

const MAX_TERMINALS = 1000;

export class TerminalStatusBook {
  private readonly latest = new Map<string, Heartbeat>();

  constructor(
    private readonly state: SqliteRelayState,
    private readonly rejects: Rejects,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    for (const row of state.allTerminalStatus()) {
      const d = decodePayload(heartbeatSchema, row.payload);
      if (d.ok) this.latest.set(row.deviceId, d.value);
    }
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
    this.latest.set(hb.deviceId, hb);
    if (was?.online !== hb.online) this.log.info({ deviceId: hb.deviceId, online: hb.online }, 'terminal status');
    try {
      this.state.putTerminalStatus(hb.deviceId, payload.toString('utf8'), this.now());
    } catch (err) {
      this.log.error({ err, deviceId: hb.deviceId }, 'storing terminal status failed');
    }
  };
}
