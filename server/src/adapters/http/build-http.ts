/**
 * The HTTP API (fastify): built here, listened to by the app (build() separate from listen(),
 * so tests use inject()). Read-only views over the QueryStore, plus what plugins (lists, later
 * the console) register on the instance before it listens.
 *
 *   GET /health                                    liveness + ingest counters + rejects
 *   GET /api/devices                               latest status and sequence summary per device
 *   GET /api/devices/:id/gaps?limit=               open gaps (since when), then closed ones
 *   GET /api/taps?deviceId=&fromSeq=&limit=        stored taps (tests, demo)
 *   GET /api/lists/propagation?list=&version=      devices at version ≥ N
 */
import { RescardError } from '@rescard/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { QueryStore } from '../../ports/ingest-store.js';
import { errorBody, installErrorHandlers } from './errors.js';

export interface HttpDeps {
  readonly query: QueryStore;
  readonly health: () => Record<string, unknown>;
  readonly logger: FastifyBaseLogger | false;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const responses = (ok: object): Record<string, object> => ({ 200: ok, 400: errorBody, 404: errorBody, 503: errorBody });

export function buildHttp(deps: HttpDeps): FastifyInstance {
  const base = { bodyLimit: 1024 * 1024 };
  const app = (deps.logger === false ? Fastify(base) : Fastify({ ...base, loggerInstance: deps.logger })) as unknown as FastifyInstance;
  installErrorHandlers(app);
  const { query } = deps;

  app.get('/health', { schema: { response: { 200: anyObject } } }, () => ({ ok: true, ...deps.health() }));

  app.get('/api/devices', { schema: { response: responses({ type: 'object', properties: { devices: { type: 'array', items: anyObject } } }) } }, () => ({
    devices: query.devices(),
  }));

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/api/devices/:id/gaps',
    {
      schema: {
        params: { type: 'object', properties: { id }, required: ['id'] },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 } }, additionalProperties: false },
        response: responses(anyObject),
      },
    },
    (req) => {
      const device = query.device(req.params.id);
      if (device === null) throw new RescardError('REQUEST_INVALID', `unknown device ${req.params.id}`, { status: 404 });
      return { deviceId: device.deviceId, committedUpTo: device.seq?.committedUpTo ?? 0, maxSeq: device.seq?.maxSeq ?? 0, gaps: query.gaps(device.deviceId, req.query.limit) };
    },
  );

  app.get<{ Querystring: { deviceId?: string; fromSeq?: number; limit: number } }>(
    '/api/taps',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { deviceId: id, fromSeq: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } },
          additionalProperties: false,
        },
        response: responses({ type: 'object', properties: { taps: { type: 'array', items: anyObject } } }),
      },
    },
    (req) => {
      const { deviceId, fromSeq, limit } = req.query;
      return { taps: query.taps({ limit, ...(deviceId === undefined ? {} : { deviceId }), ...(fromSeq === undefined ? {} : { fromSeq }) }) };
    },
  );

  app.get<{ Querystring: { list: string; version: number } }>(
    '/api/lists/propagation',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { list: { type: 'string', enum: ['benefit', 'stoplist', 'roster', 'canteen'] }, version: { type: 'integer', minimum: 0 } },
          required: ['list', 'version'],
          additionalProperties: false,
        },
        response: responses({
          type: 'object',
          properties: { list: { type: 'string' }, version: { type: 'integer' }, atOrAbove: { type: 'integer' }, reporting: { type: 'integer' }, onlineAtOrAbove: { type: 'integer' } },
        }),
      },
    },
    (req) => query.propagation(req.query.list, req.query.version),
  );

  return app;
}
