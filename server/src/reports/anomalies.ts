/**
 * Anomalies, one row per finding, in one table (unused columns are empty), in this order:
 *
 * 1. gap: a device's missing sequence range (seq..toSeq) that overlaps the period: opened
 *    (time = when the server first saw it missing) before the period ends and still open or
 *    closed after it starts; state open | closed, closedTime. Ordered by opening, device, seq.
 * 2. stale_list: a tap decided on a stale list (the device was in restricted mode or its lists
 *    had expired). 3. clock_fault: a tap whose device clock misbehaved (time is the device's
 *    corrected time; receivedTime is the server's). Both ordered by time, device, seq.
 * 4. impossible_travel (travel.ts): one row per pair; the first tap in the main columns, the
 *    second in the other* columns. Ordered by token, then the second tap's time.
 *
 * Scope: taps by their context (schools; carriers or routes); gaps by the device's taps in scope.
 */
import type { LocalClock } from './period.js';
import { columnsOf, mapRows, type Report } from './report.js';
import { anyWhere, busWhere, CONTEXT, periodWhere, Where, type AnomalyKind, type ReportQuery } from './report-query.js';
import { TravelDetector, type TravelPair, type TravelTap } from './travel.js';
import type { ReportDb } from './report-db.js';

export interface AnomalyRow {
  readonly kind: AnomalyKind;
  readonly time: string;
  readonly receivedTime: string | null;
  readonly deviceId: string;
  readonly seq: number;
  readonly toSeq: number | null;
  readonly state: 'open' | 'closed' | null;
  readonly closedTime: string | null;
  readonly token: string | null;
  readonly panMasked: string | null;
  readonly profile: string | null;
  readonly site: string | null;
  readonly vehicleId: string | null;
  readonly reason: string | null;
  readonly otherTime: string | null;
  readonly otherDeviceId: string | null;
  readonly otherSeq: number | null;
  readonly otherSite: string | null;
  readonly otherVehicleId: string | null;
  readonly minutesApart: number | null;
  readonly distanceKm: number | null;
}

const EMPTY = {
  receivedTime: null, toSeq: null, state: null, closedTime: null, token: null, panMasked: null, profile: null, site: null, vehicleId: null,
  reason: null, otherTime: null, otherDeviceId: null, otherSeq: null, otherSite: null, otherVehicleId: null, minutesApart: null, distanceKm: null,
} as const;

interface GapSql { device_id: string; from_seq: number; to_seq: number; opened_at_ms: number; closed_at_ms: number | null }
interface FlagSql { device_id: string; seq: number; wall_ms: number; received_at_ms: number; token: string; pan_masked: string; profile: string; site: string; vehicle_id: string | null; reason: string }
interface TravelSql { token: string; pan_masked: string; wall_ms: number; device_id: string; seq: number; vehicle: string; route: string; lat: unknown; lon: unknown }

export const shapeGap = (clock: LocalClock) => (g: GapSql): AnomalyRow => ({
  ...EMPTY, kind: 'gap', time: clock.iso(g.opened_at_ms), deviceId: g.device_id, seq: g.from_seq, toSeq: g.to_seq,
  state: g.closed_at_ms === null ? 'open' : 'closed', closedTime: g.closed_at_ms === null ? null : clock.iso(g.closed_at_ms),
});

export const shapeFlag = (clock: LocalClock, kind: 'stale_list' | 'clock_fault') => (t: FlagSql): AnomalyRow => ({
  ...EMPTY, kind, time: clock.iso(t.wall_ms), receivedTime: clock.iso(t.received_at_ms), deviceId: t.device_id, seq: t.seq, token: t.token,
  panMasked: t.pan_masked, profile: t.profile, site: t.site, vehicleId: t.vehicle_id, reason: t.reason,
});

export const shapeTravel = (clock: LocalClock) => (p: TravelPair): AnomalyRow => ({
  ...EMPTY, kind: 'impossible_travel', time: clock.iso(p.first.wallMs), deviceId: p.first.deviceId, seq: p.first.seq, token: p.first.token,
  panMasked: p.first.panMasked, profile: 'bus', site: p.first.route, vehicleId: p.first.vehicle, otherTime: clock.iso(p.second.wallMs),
  otherDeviceId: p.second.deviceId, otherSeq: p.second.seq, otherSite: p.second.route, otherVehicleId: p.second.vehicle,
  minutesApart: p.minutesApart, distanceKm: p.distanceKm,
});

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const SITE = `COALESCE(${CONTEXT.route}, ${CONTEXT.school}, '')`;

type Part = () => Iterable<AnomalyRow>;

function gaps(rdb: ReportDb, q: ReportQuery): Part {
  const inScope = anyWhere(new Where(), q);
  const scoped = q.scope !== null || Object.keys(q.filters).some((k) => k !== 'category');
  const w = new Where().add('opened_at_ms < ? AND (closed_at_ms IS NULL OR closed_at_ms >= ?)', q.period.endMs, q.period.startMs);
  if (scoped) w.add(`device_id IN (SELECT DISTINCT device_id FROM tap WHERE ${inScope.sql})`, ...inScope.params);
  const stmt = rdb.db.prepare<unknown[], GapSql>(`SELECT device_id, from_seq, to_seq, opened_at_ms, closed_at_ms FROM seq_gap
    WHERE ${w.sql} ORDER BY opened_at_ms, device_id, from_seq`);
  return () => mapRows(stmt.iterate(...w.params), shapeGap(rdb.clock));
}

function flagged(rdb: ReportDb, q: ReportQuery, kind: 'stale_list' | 'clock_fault'): Part {
  const w = anyWhere(periodWhere(new Where().add(`${kind} = 1`), q), q);
  const stmt = rdb.db.prepare<unknown[], FlagSql>(`SELECT device_id, seq, wall_ms, received_at_ms, token, pan_masked, profile, ${SITE} AS site,
      ${CONTEXT.vehicle} AS vehicle_id, reason
    FROM tap WHERE ${w.sql} ORDER BY wall_ms, device_id, seq`);
  return () => mapRows(stmt.iterate(...w.params), shapeFlag(rdb.clock, kind));
}

function travel(rdb: ReportDb, q: ReportQuery): Part {
  const w = busWhere(periodWhere(new Where().add("profile = 'bus'"), q), q, false);
  const stmt = rdb.db.prepare<unknown[], TravelSql>(`SELECT token, pan_masked, wall_ms, device_id, seq,
      COALESCE(${CONTEXT.vehicle}, device_id) AS vehicle, COALESCE(${CONTEXT.route}, '') AS route,
      json_extract(position, '$.lat') AS lat, json_extract(position, '$.lon') AS lon
    FROM tap WHERE ${w.sql} ORDER BY token, wall_ms, device_id, seq`);
  const shape = shapeTravel(rdb.clock);
  return function* () {
    const detector = new TravelDetector(q.travel);
    for (const t of stmt.iterate(...w.params)) {
      const tap: TravelTap = { token: t.token, panMasked: t.pan_masked, wallMs: t.wall_ms, deviceId: t.device_id, seq: t.seq, vehicle: t.vehicle, route: t.route, lat: num(t.lat), lon: num(t.lon) };
      for (const pair of detector.push(tap)) yield shape(pair);
    }
  };
}

export const anomalies: Report<AnomalyRow> = {
  name: 'anomalies',
  columns: columnsOf<AnomalyRow>([
    'kind', 'time', 'receivedTime', 'deviceId', 'seq', 'toSeq', 'state', 'closedTime', 'token', 'panMasked', 'profile', 'site', 'vehicleId',
    'reason', 'otherTime', 'otherDeviceId', 'otherSeq', 'otherSite', 'otherVehicleId', 'minutesApart', 'distanceKm',
  ]),
  rows(rdb, q) {
    const want = (k: AnomalyKind): boolean => q.kind === undefined || q.kind === k;
    // Prepared now (errors before the first byte); each runs only when the previous one is done:
    // one connection runs one iterator at a time.
    const parts: Part[] = [];
    if (want('gap')) parts.push(gaps(rdb, q));
    if (want('stale_list')) parts.push(flagged(rdb, q, 'stale_list'));
    if (want('clock_fault')) parts.push(flagged(rdb, q, 'clock_fault'));
    if (want('impossible_travel')) parts.push(travel(rdb, q));
    return (function* () {
      for (const part of parts) yield* part();
    })();
  },
};
