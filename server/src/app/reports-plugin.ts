/**
 * The operators' reports over HTTP (docs/reports.md), streamed from a read-only snapshot of
 * server.db; no row limits, nothing held in memory but one chunk:
 *
 *   GET /api/reports/benefit-trips        ?from=&to=&format=&carrierId=&routeId=&category=
 *   GET /api/reports/carrier-trips        (same)
 *   GET /api/reports/carrier-trips/taps   (same: the taps behind carrier-trips)
 *   GET /api/reports/attendance           ?from=&to=&format=&schoolId=
 *   GET /api/reports/meals                (same)
 *   GET /api/reports/meal-billing         (same)
 *   GET /api/reports/anomalies            ?from=&to=&format=&schoolId=&carrierId=&routeId=&kind=&travelMinutes=&travelKm=&travelRouteMinutes=
 *
 * from/to: local dates (inclusive) in the programme's time zone (option `timeZone`, default
 * Europe/Moscow). format: csv (default) | json | ndjson. Bad parameters: 400 REQUEST_INVALID;
 * a filter outside the caller's scope: 403 FORBIDDEN; server.db unreadable: 503.
 *
 * Seams: `authorize(req, 'report:read')` throws to refuse (default: allow); `scopeOf(req)` gives
 * the caller's schools / carriers / routes (null: everything; the default) and becomes SQL
 * filters; `roster` (RosterSource, for attendance and the class in meals) and `mealCategories`
 * (for meal billing) come from the registry.
 */
import { join } from 'node:path';
import { RescardError, isRescardError } from '@rescard/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CONTENT_TYPES, DEFAULT_TIME_ZONE, DEFAULT_TRAVEL, EMPTY_ROSTER, LocalClock, REPORT_NAMES, checkFiltersInScope, runReport,
  type AnomalyKind, type Format, type MealCategorySource, type ReportFilters, type ReportQuery, type ReportScope, type RosterSource,
} from '../reports/index.js';
import { QUERY_SCHEMAS, SUMMARIES, allowedParams } from '../reports/report-schemas.js';
import type { PluginHandle, ServerContext, ServerPlugin } from './server.js';

export interface ReportsPluginOptions {
  readonly roster?: RosterSource | (() => RosterSource);
  readonly mealCategories?: MealCategorySource | (() => MealCategorySource | null) | null;
  /** The programme's time zone (IANA), for periods and local days. Default Europe/Moscow. */
  readonly timeZone?: string;
  readonly authorize?: (req: FastifyRequest, action: string) => void | Promise<void>;
  readonly scopeOf?: (req: FastifyRequest) => ReportScope | null;
  /** Default: the data folder's server.db. */
  readonly serverDbPath?: string;
}

interface Query {
  from: string;
  to: string;
  format: Format;
  schoolId?: string;
  carrierId?: string;
  routeId?: string;
  category?: string;
  kind?: AnomalyKind;
  travelMinutes?: number;
  travelKm?: number;
  travelRouteMinutes?: number;
}

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

export function reportsPlugin(opts: ReportsPluginOptions = {}): ServerPlugin {
  return async (ctx: ServerContext): Promise<PluginHandle> => {
    const dbPath = opts.serverDbPath ?? (ctx.dataDir === null ? null : join(ctx.dataDir, 'server.db'));
    if (dbPath === null) throw new RescardError('CONFIG_INVALID', 'reports need a data folder (server.db)');
    const clock = new LocalClock(opts.timeZone ?? DEFAULT_TIME_ZONE);
    const log = ctx.log.child({ module: 'reports' });
    const authorize = opts.authorize ?? (() => undefined);
    const scopeOf = opts.scopeOf ?? (() => null);
    const deps = () => ({
      roster: (typeof opts.roster === 'function' ? opts.roster() : opts.roster) ?? EMPTY_ROSTER,
      mealCategories: (typeof opts.mealCategories === 'function' ? opts.mealCategories() : opts.mealCategories) ?? null,
    });

    await ctx.http.register((app: FastifyInstance): Promise<void> => {
      app.setErrorHandler(errorHandler);
      for (const name of REPORT_NAMES) {
        const allowed = allowedParams(name);
        app.get<{ Querystring: Query }>(
          `/api/reports/${name}`,
          {
            schema: {
              tags: ['reports'], summary: SUMMARIES[name], querystring: QUERY_SCHEMAS[name],
              response: { 400: errorBody, 401: errorBody, 403: errorBody, 503: errorBody },
            },
            config: { auth: { action: 'report:read', resource: (req) => resourceOf(req.query as Partial<Query>) } },
          },
          async (req, reply) => {
            await authorize(req, 'report:read');
            refuseUnknownParams(req.url, allowed);
            const q = req.query;
            const filters = filtersOf(q);
            const scope = scopeOf(req);
            checkFiltersInScope(filters, scope);
            const query: ReportQuery = {
              period: clock.period(q.from, q.to), scope, filters,
              travel: { minutes: q.travelMinutes ?? DEFAULT_TRAVEL.minutes, km: q.travelKm ?? DEFAULT_TRAVEL.km, routeMinutes: q.travelRouteMinutes ?? DEFAULT_TRAVEL.routeMinutes },
              ...(q.kind ? { kind: q.kind } : {}),
            };
            const startedMs = Date.now();
            const stream = runReport(name, dbPath, clock, query, deps(), q.format);
            stream.on('end', () => log.info({ report: name, from: q.from, to: q.to, format: q.format, rows: stream.rowsRead, ms: Date.now() - startedMs }, 'report sent'));
            stream.on('error', (err) => log.error({ report: name, rows: stream.rowsRead, err }, 'report failed mid-stream'));
            const file = `${name.replace('/', '-')}_${q.from}_${q.to}.${q.format === 'csv' ? 'csv' : q.format === 'json' ? 'json' : 'ndjson'}`;
            return reply
              .header('content-type', CONTENT_TYPES[q.format])
              .header('content-disposition', `attachment; filename="${file}"`)
              .header('cache-control', 'no-store')
              .send(stream);
          },
        );
      }
      return Promise.resolve();
    });
    return {};
  };
}

function filtersOf(q: Query): ReportFilters {
  return {
    ...(q.schoolId !== undefined ? { schoolId: q.schoolId } : {}),
    ...(q.carrierId !== undefined ? { carrierId: q.carrierId } : {}),
    ...(q.routeId !== undefined ? { routeId: q.routeId } : {}),
    ...(q.category !== undefined ? { category: q.category } : {}),
  };
}

/** For the auth plugin's scope check (server/src/auth/policy.ts): what the request names. */
function resourceOf(q: Partial<Query>): { schoolId?: string; carrierId?: string; routeId?: string } | undefined {
  const r = {
    ...(q.schoolId !== undefined ? { schoolId: q.schoolId } : {}),
    ...(q.carrierId !== undefined ? { carrierId: q.carrierId } : {}),
    ...(q.routeId !== undefined ? { routeId: q.routeId } : {}),
  };
  return Object.keys(r).length === 0 ? undefined : r;
}

function refuseUnknownParams(url: string, allowed: ReadonlySet<string>): void {
  const search = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const unknown = [...new URLSearchParams(search).keys()].filter((k) => !allowed.has(k));
  if (unknown.length > 0) {
    throw new RescardError('REQUEST_INVALID', `unknown parameter(s) ${unknown.join(', ')}; this report takes ${[...allowed].join(', ')}`, { unknown });
  }
}

const STATUS: Partial<Record<string, number>> = { SERVER_STORE_FAILURE: 503, FORBIDDEN: 403, AUTH_REQUIRED: 401, AUTH_INVALID: 401 };

function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, code: string, message: string): FastifyReply => reply.code(status).send({ error: { code, message } });
  if (err.validation) return send(400, 'REQUEST_INVALID', err.message);
  if (isRescardError(err)) {
    const explicit = err.details['status'];
    const status = typeof explicit === 'number' ? explicit : (STATUS[err.code] ?? 400);
    if (status >= 500) req.log.error({ code: err.code, details: err.details }, err.message);
    return send(status, err.code, err.message);
  }
  if (typeof err.statusCode === 'number' && err.statusCode < 500) return send(err.statusCode, 'REQUEST_INVALID', err.message);
  req.log.error({ err }, 'unexpected error');
  return send(500, 'INTERNAL', 'internal error');
}
