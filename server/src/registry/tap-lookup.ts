/**
 * A card's last taps from server.db, for the "why was this card denied" lookup: a read-only
 * connection of its own (WAL: never blocks the ingest writer). Tokens only; the masked PAN as the
 * device recorded it.
 *
 * The tap table has no index on token yet (a full scan; fine for a support desk at demo scale):
 * the lead is asked for `CREATE INDEX tap_token ON tap (token, wall_ms)` and the same on
 * par_token, after which this query is an index range per token.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';

export interface CardTap {
  readonly deviceId: string;
  readonly seq: number;
  readonly tapId: string;
  readonly wallMs: number;
  readonly profile: string;
  readonly outcome: string;
  readonly reason: string;
  readonly panMasked: string;
  readonly matchedBy: 'token' | 'parToken';
  readonly amountKopecks: number;
  readonly staleList: boolean;
  readonly restricted: boolean;
  readonly clockFault: boolean;
  readonly listVersions: unknown;
}

interface Row {
  device_id: string; seq: number; tap_id: string; wall_ms: number; profile: string; outcome: string; reason: string; pan_masked: string;
  by_par: number; amount_kopecks: number; stale_list: number; restricted: number; clock_fault: number; list_versions: string;
}

export interface TapLookup {
  lastTaps(tokens: readonly string[], limit: number): CardTap[];
  close(): void;
}

export function openTapLookup(serverDbPath: string): TapLookup {
  let db: Database.Database | null = null;
  const conn = (): Database.Database | null => {
    if (db === null && existsSync(serverDbPath)) db = new Database(serverDbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    return db;
  };
  return {
    lastTaps(tokens, limit) {
      if (tokens.length === 0) return [];
      try {
        const c = conn();
        if (c === null) return [];
        const marks = tokens.map(() => '?').join(', ');
        const rows = c.prepare<unknown[], Row>(`SELECT device_id, seq, tap_id, wall_ms, profile, outcome, reason, pan_masked, amount_kopecks, stale_list,
            restricted, clock_fault, list_versions, (token NOT IN (${marks})) AS by_par
          FROM tap WHERE token IN (${marks}) OR par_token IN (${marks}) ORDER BY wall_ms DESC, device_id, seq DESC LIMIT ?`)
          .all(...tokens, ...tokens, ...tokens, limit);
        return rows.map((r) => ({
          deviceId: r.device_id, seq: r.seq, tapId: r.tap_id, wallMs: r.wall_ms, profile: r.profile, outcome: r.outcome, reason: r.reason,
          panMasked: r.pan_masked, matchedBy: r.by_par === 1 ? 'parToken' : 'token', amountKopecks: r.amount_kopecks, staleList: r.stale_list === 1,
          restricted: r.restricted === 1, clockFault: r.clock_fault === 1, listVersions: JSON.parse(r.list_versions) as unknown,
        }));
      } catch (err) {
        throw new RescardError('SERVER_STORE_FAILURE', `reading taps from server.db failed: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
      }
    },
    close() {
      db?.close();
      db = null;
    },
  };
}
