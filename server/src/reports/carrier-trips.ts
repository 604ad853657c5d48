/**
 * Trips by carrier × route × local day × benefit category, for the carriers' compensation.
 * Same counting rule as benefit-trips (counted RIDE / COMPANION with outcome ALLOW). Carrier and
 * route come from the validator's context (carrierId, routeId; '' when the device had none).
 * The drill-down (carrier-trips-taps.ts) lists the taps behind these figures, same filters.
 */
import { COUNTED_RIDE } from './benefit-trips.js';
import { columnsOf, mapRows, type Report } from './report.js';
import { busWhere, CONTEXT, periodWhere, Where } from './report-query.js';

export interface CarrierTripRow {
  readonly day: string;
  readonly carrierId: string;
  readonly routeId: string;
  readonly category: string;
  readonly rides: number;
  readonly companions: number;
  readonly holders: number;
  readonly paidKopecks: number;
}

interface Sql {
  day: string; carrier_id: string; route_id: string; category: string; rides: number; companions: number; holders: number; paid: number;
}

export const shapeCarrierTrip = (r: Sql): CarrierTripRow => ({
  day: r.day, carrierId: r.carrier_id, routeId: r.route_id, category: r.category, rides: r.rides, companions: r.companions, holders: r.holders, paidKopecks: r.paid,
});

export const carrierTrips: Report<CarrierTripRow> = {
  name: 'carrier-trips',
  columns: columnsOf<CarrierTripRow>(['day', 'carrierId', 'routeId', 'category', 'rides', 'companions', 'holders', 'paidKopecks']),
  rows(rdb, q) {
    const w = busWhere(periodWhere(new Where().add(COUNTED_RIDE), q), q);
    const stmt = rdb.db.prepare<unknown[], Sql>(`
      SELECT rc_day(wall_ms) AS day, COALESCE(${CONTEXT.carrier}, '') AS carrier_id, COALESCE(${CONTEXT.route}, '') AS route_id,
        COALESCE(${CONTEXT.category}, '') AS category, SUM(counted = 'RIDE') AS rides, SUM(counted = 'COMPANION') AS companions,
        COUNT(DISTINCT token) AS holders, SUM(amount_kopecks) AS paid
      FROM tap WHERE ${w.sql}
      GROUP BY day, carrier_id, route_id, category
      ORDER BY day, carrier_id, route_id, category`);
    return mapRows(stmt.iterate(...w.params), shapeCarrierTrip);
  },
};
