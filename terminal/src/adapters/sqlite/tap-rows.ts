/** journal rows <-> TapRecord. Nested parts (context, decision, list versions) are JSON. */
import type { Decision } from '../../core/decision.js';
import type { DeviceContext } from '../../core/model.js';
import type { TapPosition } from '../../ports/position.js';
import type { NewTap, TapRecord } from '../../ports/tap-journal.js';

export interface TapRow {
  seq: number;
  tap_id: string;
  wall_ms: number;
  mono_ms: number;
  boot_id: string;
  token: string;
  kid: string;
  par_token: string | null;
  pan_masked: string;
  scheme: string;
  outcome: string;
  reason: string;
  read_ms: number;
  context: string;
  decision: string;
  list_versions: string;
  position: string | null;
  passage: 'PENDING' | 'PASSED' | 'NOT_PASSED' | null;
  ref_tap_id: string | null;
}

export const INSERT_TAP_SQL = `INSERT INTO journal
  (seq, tap_id, wall_ms, mono_ms, boot_id, token, kid, par_token, pan_masked, scheme,
   outcome, reason, read_ms, context, decision, list_versions, position, passage, ref_tap_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function tapParams(seq: number, t: NewTap): unknown[] {
  return [
    seq, t.tapId, t.wallMs, t.monoMs, t.bootId, t.token, t.kid, t.parToken, t.panMasked, t.scheme,
    t.decision.outcome, t.decision.reason, t.readMs,
    JSON.stringify(t.context), JSON.stringify(t.decision), JSON.stringify(t.listVersions),
    t.position ? JSON.stringify(t.position) : null,
    t.passage ?? null, t.refTapId ?? null,
  ];
}

export function tapFromRow(r: TapRow): TapRecord {
  return {
    seq: r.seq,
    tapId: r.tap_id,
    wallMs: r.wall_ms,
    monoMs: r.mono_ms,
    bootId: r.boot_id,
    token: r.token,
    kid: r.kid,
    parToken: r.par_token,
    panMasked: r.pan_masked,
    scheme: r.scheme,
    context: JSON.parse(r.context) as DeviceContext,
    decision: JSON.parse(r.decision) as Decision,
    listVersions: JSON.parse(r.list_versions) as TapRecord['listVersions'],
    readMs: r.read_ms,
    ...(r.position === null ? {} : { position: JSON.parse(r.position) as TapPosition }),
    ...(r.passage === null ? {} : { passage: r.passage }),
    ...(r.ref_tap_id === null ? {} : { refTapId: r.ref_tap_id }),
  };
}
