/**
 * What a report is asked for: the period, the caller's scope and the filters, and the SQL WHERE
 * parts they become. Scope (from the auth seam) limits the data in SQL, always:
 *
 * - null: everything;
 * - `{ schools }`: gate and canteen taps of those schools only; no bus taps;
 * - `{ carriers, routes }`: bus taps of those carriers, or of those routes; no school taps;
 * - an empty or missing list allows nothing of that kind (fail closed).
 *
 * An explicit filter outside the scope (schoolId / carrierId / routeId not in the scope's lists)
 * is refused with FORBIDDEN (403), so an empty report never hides a refusal.
 */
import { RescardError } from '@rescard/shared';
import type { Period } from './period.js';

export interface ReportScope {
  readonly schools?: readonly string[];
  readonly carriers?: readonly string[];
  readonly routes?: readonly string[];
}

export interface ReportFilters {
  readonly schoolId?: string;
  readonly carrierId?: string;
  readonly routeId?: string;
  readonly category?: string;
}

export interface TravelParams {
  /** Two vehicles within this many minutes … */
  readonly minutes: number;
  /** … at positions farther apart than this. */
  readonly km: number;
  /** Without positions on both taps: two different routes within this many minutes. */
  readonly routeMinutes: number;
}

export const DEFAULT_TRAVEL: TravelParams = { minutes: 10, km: 10, routeMinutes: 3 };

export const ANOMALY_KINDS = ['gap', 'stale_list', 'clock_fault', 'impossible_travel'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface ReportQuery {
  readonly period: Period;
  /** null: everything. */
  readonly scope: ReportScope | null;
  readonly filters: ReportFilters;
  readonly travel: TravelParams;
  /** anomalies: only this kind (all when absent). */
  readonly kind?: AnomalyKind;
}

export const CONTEXT = {
  school: "json_extract(context, '$.schoolId')",
  carrier: "json_extract(context, '$.carrierId')",
  route: "json_extract(context, '$.routeId')",
  vehicle: "json_extract(context, '$.vehicleId')",
  category: "json_extract(fare, '$.category')",
} as const;

/** A WHERE clause built from parts, with its positional parameters. */
export class Where {
  private readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }

  in(expr: string, values: readonly string[]): string {
    if (values.length === 0) return '0';
    this.params.push(...values);
    return `${expr} IN (${values.map(() => '?').join(', ')})`;
  }

  get sql(): string {
    return this.parts.length === 0 ? '1' : this.parts.map((p) => `(${p})`).join(' AND ');
  }
}

function forbid(what: string, id: string): never {
  throw new RescardError('FORBIDDEN', `${what} ${id} is outside the account's scope`, { status: 403, [what]: id });
}

/** Refuses explicit filters outside the scope (FORBIDDEN, 403). */
export function checkFiltersInScope(filters: ReportFilters, scope: ReportScope | null): void {
  if (scope === null) return;
  if (filters.schoolId !== undefined && !(scope.schools ?? []).includes(filters.schoolId)) forbid('schoolId', filters.schoolId);
  if (filters.carrierId !== undefined && !(scope.carriers ?? []).includes(filters.carrierId)) forbid('carrierId', filters.carrierId);
  const routesOnly = (scope.carriers ?? []).length === 0;
  if (filters.routeId !== undefined && routesOnly && !(scope.routes ?? []).includes(filters.routeId)) forbid('routeId', filters.routeId);
}

/** Bus taps: the scope's carriers or routes, then the carrier / route / category filters. */
export function busWhere(w: Where, q: ReportQuery, withCategory = true): Where {
  if (q.scope !== null) {
    const carriers = q.scope.carriers ?? [];
    const routes = q.scope.routes ?? [];
    const parts = [carriers.length > 0 ? w.in(CONTEXT.carrier, carriers) : null, routes.length > 0 ? w.in(CONTEXT.route, routes) : null].filter((p) => p !== null);
    w.add(parts.length === 0 ? '0' : parts.join(' OR '));
  }
  const f = q.filters;
  if (f.carrierId !== undefined) w.add(`${CONTEXT.carrier} = ?`, f.carrierId);
  if (f.routeId !== undefined) w.add(`${CONTEXT.route} = ?`, f.routeId);
  if (withCategory && f.category !== undefined) w.add(`${CONTEXT.category} = ?`, f.category);
  return w;
}

/** Gate and canteen taps: the scope's schools, then the school filter. */
export function schoolWhere(w: Where, q: ReportQuery): Where {
  if (q.scope !== null) w.add(w.in(CONTEXT.school, q.scope.schools ?? []));
  if (q.filters.schoolId !== undefined) w.add(`${CONTEXT.school} = ?`, q.filters.schoolId);
  return w;
}

/** Any tap (anomalies): bus taps in the bus scope or school taps in the school scope; all filters. */
export function anyWhere(w: Where, q: ReportQuery): Where {
  if (q.scope !== null) {
    const s = q.scope;
    const parts: string[] = [];
    if ((s.schools ?? []).length > 0) parts.push(w.in(CONTEXT.school, s.schools ?? []));
    if ((s.carriers ?? []).length > 0) parts.push(w.in(CONTEXT.carrier, s.carriers ?? []));
    if ((s.routes ?? []).length > 0) parts.push(w.in(CONTEXT.route, s.routes ?? []));
    w.add(parts.length === 0 ? '0' : parts.join(' OR '));
  }
  const f = q.filters;
  if (f.schoolId !== undefined) w.add(`${CONTEXT.school} = ?`, f.schoolId);
  if (f.carrierId !== undefined) w.add(`${CONTEXT.carrier} = ?`, f.carrierId);
  if (f.routeId !== undefined) w.add(`${CONTEXT.route} = ?`, f.routeId);
  return w;
}

export function periodWhere(w: Where, q: ReportQuery): Where {
  return w.add('wall_ms >= ? AND wall_ms < ?', q.period.startMs, q.period.endMs);
}
