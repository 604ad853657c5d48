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
 *
 * OpenAPI (@fastify/swagger) is registered here, before any route, because it collects routes
 * as they are defined; the routes below are added by a plugin registered after it (in the root
 * context, so the auth plugin's hooks reach them). /docs (the UI and /docs/json) and /metrics come
 * with the observability plugin. Each /api/ route names its action for the auth plugin
 * (`config.auth.action`, server/src/auth/policy.ts).
 */
import { RescardError } from '@rescard/shared';
import swagger, { type SwaggerOptions } from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
// The route option `config.auth` (what each route does, for the operator-access checks) is declared there.
import type {} from '../../auth/guard.js';
import type { QueryStore } from '../../ports/ingest-store.js';
import { errorBody, installErrorHandlers } from './errors.js';

export interface HttpDeps {
  readonly query: QueryStore;
  readonly health: () => Record<string, unknown>;
  readonly logger: FastifyBaseLogger | false;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const responses = (ok: object): Record<string, object> => ({ 200: ok, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 503: errorBody });

/** The OpenAPI document's frame; the paths come from the routes' schemas. */
export const OPENAPI_INFO: SwaggerOptions = {
  openapi: {
    openapi: '3.0.3',
    info: { title: 'rescard server API', version: '1', description: 'Operator API of the rescard server. Errors: `{error: {code, message}}` (docs/errors.md). Auth: docs/auth.md.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a session token (POST /api/auth/login) or an API token' } } },
    security: [{ bearer: [] }],
  },
};

export function buildHttp(deps: HttpDeps): FastifyInstance {
  // forceCloseConnections: a stop ends now; a keep-alive socket busy at that instant would
  // otherwise hold close() for the keep-alive timeout (72 s). Clients retry.
  const base = { bodyLimit: 1024 * 1024, forceCloseConnections: true };
  const app = (deps.logger === false ? Fastify(base) : Fastify({ ...base, loggerInstance: deps.logger })) as unknown as FastifyInstance;
  installErrorHandlers(app);
  void app.register(swagger, OPENAPI_INFO);
  void app.register(fp((root: FastifyInstance) => routes(root, deps), { name: 'rescard-core-routes' }));
  return app;
}

function routes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { query } = deps;

  app.get('/health', { schema: { tags: ['server'], summary: 'Liveness, ingest counters, rejects (public)', security: [], response: { 200: anyObject } } }, () => ({ ok: true, ...deps.health() }));

  app.get('/api/devices', {
    schema: { tags: ['devices'], summary: 'Latest status and sequence summary per device', response: responses({ type: 'object', properties: { devices: { type: 'array', items: anyObject } } }) },
    config: { auth: { action: 'device:read' } },
  }, () => ({
    devices: query.devices(),
  }));

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/api/devices/:id/gaps',
    {
      config: { auth: { action: 'device:read' } },
      schema: {
        tags: ['devices'],
        summary: 'Open sequence gaps of a device (since when), then closed ones',
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
      config: { auth: { action: 'tap:read' } },
      schema: {
        tags: ['taps'],
        summary: 'Stored taps of a device from a sequence number',
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
      config: { auth: { action: 'list:read' } },
      schema: {
        tags: ['lists'],
        summary: 'How many devices hold a list at or above a version',
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
  return Promise.resolve();
}
