/**
 * IngestStore over server.db (write side). Prepared statements; `transaction` is IMMEDIATE and
 * returns after the FULL-synchronous commit. Every library error leaves as SERVER_STORE_FAILURE.
 */
import type Database from 'better-sqlite3';
import type { Heartbeat } from '@rescard/shared';
import { assertMaskedPan } from '../../core/tap-checks.js';
import type { GapChange, SeqGap, SeqState } from '../../core/seq-state.js';
import type { IngestStore, StoredTap } from '../../ports/ingest-store.js';
import type { ServerDb } from './open-server-db.js';
import { guard } from './store-error.js';

type Stmt = Database.Statement<unknown[], unknown>;

const INSERT_TAP = `INSERT INTO tap (device_id, seq, tap_id, wall_ms, mono_ms, boot_id, token, kid, par_token, pan_masked, scheme,
  profile, outcome, reason, counted, amount_kopecks, direction, stale_list, restricted, clock_fault, read_ms, context, fare, meal,
  list_versions, position, received_at_ms, late, batch_id, via_gateway_id)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (device_id, seq) DO NOTHING`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export class SqliteIngestStore implements IngestStore {
  private readonly db: Database.Database;
  private readonly s: Record<string, Stmt>;

  constructor(server: ServerDb) {
    this.db = server.db;
    const p = (sql: string): Stmt => guard('prepare', () => this.db.prepare(sql));
    this.s = {
      insertTap: p(INSERT_TAP),
      tapId: p('SELECT tap_id FROM tap WHERE device_id = ? AND seq = ?').pluck(),
      maxSeq: p('SELECT max_seq FROM device_seq WHERE device_id = ?').pluck(),
      openGaps: p('SELECT from_seq AS fromSeq, to_seq AS toSeq, opened_at_ms AS openedAtMs FROM seq_gap WHERE device_id = ? AND closed_at_ms IS NULL ORDER BY from_seq'),
      saveMax: p('INSERT INTO device_seq (device_id, max_seq, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET max_seq = excluded.max_seq, updated_at_ms = excluded.updated_at_ms'),
      openGap: p('INSERT INTO seq_gap (device_id, from_seq, to_seq, opened_at_ms) VALUES (?, ?, ?, ?)'),
      shrinkGap: p('UPDATE seq_gap SET from_seq = ?, to_seq = ? WHERE device_id = ? AND from_seq = ? AND closed_at_ms IS NULL'),
      closeGap: p('UPDATE seq_gap SET closed_at_ms = ? WHERE device_id = ? AND from_seq = ? AND closed_at_ms IS NULL'),
      online: p(`INSERT INTO device_status (device_id, kind, online, last_seen_ms, offline_since_ms, heartbeat, via_gateway_id) VALUES (?, ?, 1, ?, NULL, ?, ?)
        ON CONFLICT (device_id) DO UPDATE SET kind = excluded.kind, online = 1, last_seen_ms = excluded.last_seen_ms, offline_since_ms = NULL,
        heartbeat = excluded.heartbeat, via_gateway_id = excluded.via_gateway_id
        WHERE excluded.last_seen_ms >= device_status.last_seen_ms`),
      offline: p(`INSERT INTO device_status (device_id, kind, online, last_seen_ms, offline_since_ms, heartbeat, via_gateway_id) VALUES (?, NULL, 0, ?, ?, NULL, ?)
        ON CONFLICT (device_id) DO UPDATE SET online = 0, last_seen_ms = excluded.last_seen_ms, via_gateway_id = excluded.via_gateway_id,
        offline_since_ms = CASE WHEN device_status.online = 0 THEN device_status.offline_since_ms ELSE excluded.offline_since_ms END
        WHERE excluded.last_seen_ms >= device_status.last_seen_ms`),
      clearLists: p('DELETE FROM device_list WHERE device_id = ?'),
      setList: p('INSERT INTO device_list (device_id, list, version) VALUES (?, ?, ?)'),
    };
  }

  private stmt(name: string): Stmt {
    return this.s[name]!;
  }

  transaction<T>(fn: () => T): T {
    return guard('transaction', () => this.db.transaction(fn).immediate());
  }

  insertTap(row: StoredTap): boolean {
    const t = row.tap;
    assertMaskedPan(t.panMasked);
    const info = guard('insertTap', () =>
      this.stmt('insertTap').run(
        row.deviceId, t.seq, t.tapId, t.wallMs, t.monoMs, t.bootId, t.token, t.kid, t.parToken, t.panMasked, t.scheme,
        t.profile, t.outcome, t.reason, t.counted, t.amountKopecks, t.direction ?? null, t.flags.staleList ? 1 : 0,
        t.flags.restricted ? 1 : 0, t.flags.clockFault ? 1 : 0, t.readMs, JSON.stringify(t.context), json(t.fare), json(t.meal),
        JSON.stringify(t.listVersions), json(t.position), row.receivedAtMs, row.late ? 1 : 0, row.batchId, row.viaGatewayId,
      ),
    );
    return info.changes === 1;
  }

  storedTapId(deviceId: string, seq: number): string | null {
    const id = guard('storedTapId', () => this.stmt('tapId').get(deviceId, seq));
    return typeof id === 'string' ? id : null;
  }

  loadSeqState(deviceId: string): SeqState {
    return guard('loadSeqState', () => {
      const max = this.stmt('maxSeq').get(deviceId);
      const gaps = this.stmt('openGaps').all(deviceId) as SeqGap[];
      return { maxSeq: typeof max === 'number' ? max : 0, gaps };
    });
  }

  saveSeqState(deviceId: string, state: SeqState, changes: readonly GapChange[], nowMs: number): void {
    guard('saveSeqState', () => {
      this.stmt('saveMax').run(deviceId, state.maxSeq, nowMs);
      for (const c of changes) {
        if (c.kind === 'open') this.stmt('openGap').run(deviceId, c.gap.fromSeq, c.gap.toSeq, c.gap.openedAtMs);
        else if (c.kind === 'shrink') this.stmt('shrinkGap').run(c.after.fromSeq, c.after.toSeq, deviceId, c.before.fromSeq);
        else this.stmt('closeGap').run(c.closedAtMs, deviceId, c.gap.fromSeq);
      }
    });
  }

  saveStatus(status: Heartbeat, receivedAtMs: number, viaGatewayId: string | null = null): boolean {
    return guard('saveStatus', () => {
      if (!status.online) return this.stmt('offline').run(status.deviceId, receivedAtMs, receivedAtMs, viaGatewayId).changes === 1;
      const { v: _v, deviceId, online: _o, kind, terminals, ...rest } = status;
      if (this.stmt('online').run(deviceId, kind, receivedAtMs, JSON.stringify({ ...rest, terminals: terminals ?? null }), viaGatewayId).changes !== 1) return false;
      this.stmt('clearLists').run(deviceId);
      for (const [list, state] of Object.entries(status.lists)) this.stmt('setList').run(deviceId, list, state.version);
      return true;
    });
  }
}
