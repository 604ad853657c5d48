/** The operators' reports (docs/reports.md): the catalogue by route name, and one run. */
import type { Readable } from 'node:stream';
import { anomalies } from './anomalies.js';
import { attendance } from './attendance.js';
import { benefitTrips } from './benefit-trips.js';
import { carrierTrips } from './carrier-trips.js';
import { carrierTripTaps } from './carrier-trips-taps.js';
import { mealBilling } from './meal-billing.js';
import { meals } from './meals.js';
import type { Format } from './report-format.js';
import { openReportDb, storeFailure } from './report-db.js';
import type { ReportQuery } from './report-query.js';
import { ReportStream } from './report-stream.js';
import type { Report, ReportDeps } from './report.js';
import type { LocalClock } from './period.js';

export const REPORTS = {
  'benefit-trips': benefitTrips,
  'carrier-trips': carrierTrips,
  'carrier-trips/taps': carrierTripTaps,
  attendance,
  meals,
  'meal-billing': mealBilling,
  anomalies,
} as const;

export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/**
 * Opens a snapshot of server.db, prepares the report's statements (errors throw here, before
 * any byte) and returns the stream; the connection closes when the stream ends or is destroyed.
 */
export function runReport(name: ReportName, serverDbPath: string, clock: LocalClock, q: ReportQuery, deps: ReportDeps, format: Format): ReportStream<unknown> & Readable {
  const report = REPORTS[name] as unknown as Report<unknown>;
  const rdb = openReportDb(serverDbPath, clock);
  try {
    const rows = report.rows(rdb, q, deps);
    return new ReportStream(rows, report.columns, format, () => rdb.close());
  } catch (err) {
    rdb.close();
    throw storeFailure(err, `preparing the ${name} report failed`);
  }
}

export { LocalClock, DEFAULT_TIME_ZONE, type Period } from './period.js';
export { FORMATS, CONTENT_TYPES, type Format } from './report-format.js';
export { DEFAULT_TRAVEL, ANOMALY_KINDS, checkFiltersInScope, type ReportQuery, type ReportScope, type ReportFilters, type AnomalyKind } from './report-query.js';
export { InMemoryRosterSource, EMPTY_ROSTER, type RosterSource, type RosterMember } from './roster-source.js';
export { InMemoryMealCategorySource, type MealCategorySource } from './meal-category-source.js';
export type { ReportDeps } from './report.js';
