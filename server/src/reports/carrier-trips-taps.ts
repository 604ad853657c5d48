/**
 * The drill-down of carrier-trips: every counted bus tap behind its figures, same filters
 * (period, carrierId, routeId, category, scope), ordered by time then device and sequence (a
 * total order: (device_id, seq) is the table's key). Row by row, never grouped: the first rows
 * leave while the query is still running.
 */
import type { LocalClock } from './period.js';
import { COUNTED_RIDE } from './benefit-trips.js';
import { columnsOf, mapRows, type Report } from './report.js';
import { busWhere, CONTEXT, periodWhere, Where } from './report-query.js';

export interface CarrierTapRow {
  readonly time: string;
  readonly day: string;
  readonly carrierId: string;
  readonly routeId: string;
  readonly vehicleId: string;
  readonly deviceId: string;
  readonly seq: number;
  readonly tapId: string;
  readonly token: string;
  readonly panMasked: string;
  readonly counted: string;
  readonly category: string;
  readonly fareType: string;
  readonly paidKopecks: number;
  readonly stopId: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly staleList: boolean;
  readonly clockFault: boolean;
}

interface Sql {
  wall_ms: number; carrier_id: string; route_id: string; vehicle_id: string; device_id: string; seq: number; tap_id: string; token: string;
  pan_masked: string; counted: string; category: string; fare_type: string; amount_kopecks: number; stop_id: unknown; lat: unknown; lon: unknown;
  stale_list: number; clock_fault: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const shapeCarrierTap = (clock: LocalClock) => (r: Sql): CarrierTapRow => ({
  time: clock.iso(r.wall_ms), day: clock.day(r.wall_ms), carrierId: r.carrier_id, routeId: r.route_id, vehicleId: r.vehicle_id,
  deviceId: r.device_id, seq: r.seq, tapId: r.tap_id, token: r.token, panMasked: r.pan_masked, counted: r.counted, category: r.category,
  fareType: r.fare_type, paidKopecks: r.amount_kopecks, stopId: str(r.stop_id), lat: num(r.lat), lon: num(r.lon),
  staleList: r.stale_list === 1, clockFault: r.clock_fault === 1,
});

export const carrierTripTaps: Report<CarrierTapRow> = {
  name: 'carrier-trips-taps',
  columns: columnsOf<CarrierTapRow>([
    'time', 'day', 'carrierId', 'routeId', 'vehicleId', 'deviceId', 'seq', 'tapId', 'token', 'panMasked', 'counted', 'category', 'fareType',
    'paidKopecks', 'stopId', 'lat', 'lon', 'staleList', 'clockFault',
  ]),
  rows(rdb, q) {
    const w = busWhere(periodWhere(new Where().add(COUNTED_RIDE), q), q);
    const stmt = rdb.db.prepare<unknown[], Sql>(`
      SELECT wall_ms, COALESCE(${CONTEXT.carrier}, '') AS carrier_id, COALESCE(${CONTEXT.route}, '') AS route_id,
        COALESCE(${CONTEXT.vehicle}, '') AS vehicle_id, device_id, seq, tap_id, token, pan_masked, counted,
        COALESCE(${CONTEXT.category}, '') AS category, COALESCE(json_extract(fare, '$.type'), '') AS fare_type, amount_kopecks,
        json_extract(position, '$.stopId') AS stop_id, json_extract(position, '$.lat') AS lat, json_extract(position, '$.lon') AS lon,
        stale_list, clock_fault
      FROM tap WHERE ${w.sql}
      ORDER BY wall_ms, device_id, seq`);
    return mapRows(stmt.iterate(...w.params), shapeCarrierTap(rdb.clock));
  },
};
