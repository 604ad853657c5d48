/**
 * Querystring JSON Schemas of GET /api/reports/* (reports-plugin.ts), and the parameters each
 * report accepts (anything else is refused: a misspelt filter must not widen a report silently).
 */
import { ANOMALY_KINDS } from './report-query.js';
import { FORMATS } from './report-format.js';
import type { ReportName } from './index.js';

const id = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' } as const;
const date = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'local date YYYY-MM-DD in the programme time zone' } as const;

const common = {
  from: { ...date, description: 'first local day of the period (inclusive)' },
  to: { ...date, description: 'last local day of the period (inclusive)' },
  format: { type: 'string', enum: [...FORMATS], default: 'csv', description: 'csv (RFC 4180, comma), json (one streamed array) or ndjson' },
} as const;
const bus = { carrierId: id, routeId: id, category: { type: 'string', minLength: 1, maxLength: 64 } } as const;
const school = { schoolId: id } as const;
const anomaly = {
  ...school,
  carrierId: id,
  routeId: id,
  kind: { type: 'string', enum: [...ANOMALY_KINDS] },
  travelMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440, default: 10, description: 'impossible travel: two vehicles within this many minutes …' },
  travelKm: { type: 'number', exclusiveMinimum: 0, maximum: 20000, default: 10, description: '… farther apart than this (both taps with a position)' },
  travelRouteMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440, default: 3, description: 'without positions: two different routes within this many minutes' },
} as const;

const query = (props: Record<string, unknown>): Record<string, unknown> => ({
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { ...common, ...props },
});

export const QUERY_SCHEMAS: Readonly<Record<ReportName, Record<string, unknown>>> = {
  'benefit-trips': query(bus),
  'carrier-trips': query(bus),
  'carrier-trips/taps': query(bus),
  attendance: query(school),
  meals: query(school),
  'meal-billing': query(school),
  anomalies: query(anomaly),
};

export function allowedParams(name: ReportName): ReadonlySet<string> {
  return new Set(Object.keys(QUERY_SCHEMAS[name]['properties'] ?? {}));
}

export const SUMMARIES: Readonly<Record<ReportName, string>> = {
  'benefit-trips': 'Benefit trips per holder per month and category (reimbursement)',
  'carrier-trips': 'Trips by carrier × route × day × category (compensation)',
  'carrier-trips/taps': 'The taps behind carrier-trips, same filters (drill-down)',
  attendance: 'Attendance per school × class × day: first entry, last exit, absent',
  meals: 'Meals per student per day',
  'meal-billing': 'Canteen billing per school and entitlement category',
  anomalies: 'Sequence gaps, taps on stale lists, clock faults, impossible travel',
};
