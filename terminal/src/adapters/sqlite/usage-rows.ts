/** usage_event rows <-> UsageEvent. */
import type { Direction, UsageEvent, UsageKind } from '../../core/model.js';
import type { NewUsage } from '../../ports/tap-journal.js';
import { tokenKey } from './token-key.js';

export interface UsageRow {
  seq: number;
  token: unknown;
  wall_ms: number;
  mono_ms: number;
  boot_id: string;
  kind: UsageKind;
  direction: Direction | null;
  meal_window: string | null;
  amount_kopecks: number;
  free: number;
}

export const INSERT_USAGE_SQL = `INSERT INTO usage_event
  (seq, token, wall_ms, mono_ms, boot_id, kind, direction, meal_window, amount_kopecks, free)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function usageParams(seq: number, token: string, u: NewUsage): unknown[] {
  return [
    seq, tokenKey(token), u.wallMs, u.monoMs, u.bootId, u.kind,
    u.direction ?? null, u.mealWindow ?? null, u.amountKopecks, u.free ? 1 : 0,
  ];
}

export function usageFromRow(r: UsageRow): UsageEvent {
  return {
    seq: r.seq,
    wallMs: r.wall_ms,
    monoMs: r.mono_ms,
    bootId: r.boot_id,
    kind: r.kind,
    ...(r.direction === null ? {} : { direction: r.direction }),
    ...(r.meal_window === null ? {} : { mealWindow: r.meal_window }),
    amountKopecks: r.amount_kopecks,
    free: r.free === 1,
  };
}
