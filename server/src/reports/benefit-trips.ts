/**
 * Benefit trips per holder per month, for reimbursement. A trip is a counted bus tap: outcome
 * ALLOW and counted RIDE or COMPANION (denied, repeat and not-enrolled taps count nothing; a
 * resent tap is stored once, on (device_id, seq)). Month = the local month of the tap in the
 * programme's time zone. One row per month × holder token × benefit category (fare.category).
 * A holder's phone (Mir Pay) has a token of its own and so a row of its own.
 */
import { columnsOf, mapRows, type Report } from './report.js';
import { busWhere, CONTEXT, periodWhere, Where } from './report-query.js';

export interface BenefitTripRow {
  readonly month: string;
  readonly token: string;
  readonly panMasked: string;
  readonly category: string;
  readonly rides: number;
  readonly companions: number;
  /** What the passengers paid (0 for free rides; the discounted fare otherwise). */
  readonly paidKopecks: number;
}

interface Sql {
  month: string; token: string; pan_masked: string; category: string; rides: number; companions: number; paid: number;
}

export const shapeBenefitTrip = (r: Sql): BenefitTripRow => ({
  month: r.month, token: r.token, panMasked: r.pan_masked, category: r.category, rides: r.rides, companions: r.companions, paidKopecks: r.paid,
});

export const COUNTED_RIDE = "profile = 'bus' AND outcome = 'ALLOW' AND counted IN ('RIDE', 'COMPANION')";

export const benefitTrips: Report<BenefitTripRow> = {
  name: 'benefit-trips',
  columns: columnsOf<BenefitTripRow>(['month', 'token', 'panMasked', 'category', 'rides', 'companions', 'paidKopecks']),
  rows(rdb, q) {
    const w = periodWhere(new Where().add(COUNTED_RIDE), q);
    busWhere(w, q);
    const stmt = rdb.db.prepare<unknown[], Sql>(`
      SELECT substr(rc_day(wall_ms), 1, 7) AS month, token, MIN(pan_masked) AS pan_masked, COALESCE(${CONTEXT.category}, '') AS category,
        SUM(counted = 'RIDE') AS rides, SUM(counted = 'COMPANION') AS companions, SUM(amount_kopecks) AS paid
      FROM tap WHERE ${w.sql}
      GROUP BY month, token, category
      ORDER BY month, token, category`);
    return mapRows(stmt.iterate(...w.params), shapeBenefitTrip);
  },
};
