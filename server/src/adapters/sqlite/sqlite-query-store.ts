/**
 * QueryStore over server.db (read side, for the HTTP API). WAL: reads never block ingest.
 */
import type Database from 'better-sqlite3';
import type { TapWire } from '@rescard/shared';
import type { Propagation } from '../../core/propagation.js';
import type { DeviceView, GapView, QueryStore, SeqSummary, StoredTapView, TapQuery } from '../../ports/ingest-store.js';
import type { ServerDb } from './open-server-db.js';
import { guard } from './store-error.js';

interface DeviceRow {
  device_id: string;
  kind: 'terminal' | 'gateway' | null;
  online: number | null;
  last_seen_ms: number | null;
  offline_since_ms: number | null;
  via_gateway_id: string | null;
  heartbeat: string | null;
  max_seq: number | null;
  first_gap: number | null;
  open_gaps: number;
}

const DEVICES = `
  WITH ids AS (SELECT device_id FROM device_status UNION SELECT device_id FROM device_seq)
  SELECT ids.device_id, s.kind, s.online, s.last_seen_ms, s.offline_since_ms, s.via_gateway_id, s.heartbeat, q.max_seq,
    (SELECT MIN(from_seq) FROM seq_gap g WHERE g.device_id = ids.device_id AND g.closed_at_ms IS NULL) AS first_gap,
    (SELECT COUNT(*) FROM seq_gap g WHERE g.device_id = ids.device_id AND g.closed_at_ms IS NULL) AS open_gaps
  FROM ids LEFT JOIN device_status s ON s.device_id = ids.device_id LEFT JOIN device_seq q ON q.device_id = ids.device_id`;

interface TapRow {
  [column: string]: unknown;
}

function toDevice(r: DeviceRow): DeviceView {
  const seq: SeqSummary | null =
    r.max_seq === null ? null : { committedUpTo: r.first_gap === null ? r.max_seq : r.first_gap - 1, maxSeq: r.max_seq, openGaps: r.open_gaps };
  return {
    deviceId: r.device_id,
    kind: r.kind,
    online: r.online === 1,
    lastSeenMs: r.last_seen_ms ?? 0,
    offlineSinceMs: r.offline_since_ms,
    viaGatewayId: r.via_gateway_id,
    heartbeat: r.heartbeat === null ? null : (JSON.parse(r.heartbeat) as DeviceView['heartbeat']),
    seq,
  };
}

function toTap(r: TapRow): StoredTapView {
  const parse = (v: unknown): unknown => (v === null ? undefined : JSON.parse(v as string));
  const tap: Record<string, unknown> = {
    seq: r['seq'], tapId: r['tap_id'], wallMs: r['wall_ms'], monoMs: r['mono_ms'], bootId: r['boot_id'], token: r['token'], kid: r['kid'],
    parToken: r['par_token'], panMasked: r['pan_masked'], scheme: r['scheme'], profile: r['profile'], context: parse(r['context']),
    outcome: r['outcome'], reason: r['reason'], counted: r['counted'], amountKopecks: r['amount_kopecks'], fare: parse(r['fare']),
    meal: parse(r['meal']), direction: r['direction'] ?? undefined,
    flags: { staleList: r['stale_list'] === 1, restricted: r['restricted'] === 1, clockFault: r['clock_fault'] === 1 },
    listVersions: parse(r['list_versions']), readMs: r['read_ms'], position: parse(r['position']),
  };
  for (const k of Object.keys(tap)) if (tap[k] === undefined) delete tap[k];
  return {
    ...(tap as unknown as TapWire),
    deviceId: r['device_id'] as string,
    receivedAtMs: r['received_at_ms'] as number,
    late: r['late'] === 1,
    batchId: r['batch_id'] as string,
    viaGatewayId: (r['via_gateway_id'] as string | null) ?? null,
  };
}

export class SqliteQueryStore implements QueryStore {
  private readonly db: Database.Database;

  constructor(server: ServerDb) {
    this.db = server.db;
  }

  devices(): DeviceView[] {
    return guard('devices', () => (this.db.prepare(`${DEVICES} ORDER BY ids.device_id`).all() as DeviceRow[]).map(toDevice));
  }

  device(deviceId: string): DeviceView | null {
    const row = guard('device', () => this.db.prepare(`${DEVICES} WHERE ids.device_id = ?`).get(deviceId) as DeviceRow | undefined);
    return row ? toDevice(row) : null;
  }

  gaps(deviceId: string, limit: number): GapView[] {
    return guard('gaps', () =>
      this.db
        .prepare(
          `SELECT from_seq AS fromSeq, to_seq AS toSeq, opened_at_ms AS openedAtMs, closed_at_ms AS closedAtMs FROM seq_gap
           WHERE device_id = ? ORDER BY closed_at_ms IS NOT NULL, CASE WHEN closed_at_ms IS NULL THEN from_seq ELSE -closed_at_ms END LIMIT ?`,
        )
        .all(deviceId, limit) as GapView[],
    );
  }

  taps(query: TapQuery): StoredTapView[] {
    const rows = guard('taps', () =>
      query.deviceId === undefined
        ? this.db.prepare('SELECT * FROM tap WHERE seq >= ? ORDER BY device_id, seq LIMIT ?').all(query.fromSeq ?? 0, query.limit)
        : this.db.prepare('SELECT * FROM tap WHERE device_id = ? AND seq >= ? ORDER BY seq LIMIT ?').all(query.deviceId, query.fromSeq ?? 0, query.limit),
    ) as TapRow[];
    return rows.map(toTap);
  }

  tapCount(deviceId?: string): number {
    return guard('tapCount', () =>
      deviceId === undefined
        ? (this.db.prepare('SELECT COUNT(*) FROM tap').pluck().get() as number)
        : (this.db.prepare('SELECT COUNT(*) FROM tap WHERE device_id = ?').pluck().get(deviceId) as number),
    );
  }

  propagation(list: string, version: number): Propagation {
    const row = guard('propagation', () =>
      this.db
        .prepare(
          `SELECT COUNT(*) AS reporting, COALESCE(SUM(l.version >= ?), 0) AS atOrAbove, COALESCE(SUM(l.version >= ? AND s.online = 1), 0) AS onlineAtOrAbove
           FROM device_list l JOIN device_status s ON s.device_id = l.device_id WHERE l.list = ?`,
        )
        .get(version, version, list) as { reporting: number; atOrAbove: number; onlineAtOrAbove: number },
    );
    return { list, version, ...row };
  }
}
