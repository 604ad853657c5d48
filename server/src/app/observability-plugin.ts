/**
 * Documentation and metrics on the HTTP API:
 *
 *   GET /docs        Swagger UI over the OpenAPI document (@fastify/swagger, registered in buildHttp)
 *   GET /docs/json   the OpenAPI document itself
 *   GET /metrics     Prometheus text format (prom-client): `http_request_duration_seconds`
 *                    {method, route, status_code}, the ingest (ingest-metrics.ts) and the
 *                    process's default metrics; other modules add theirs to `metricsRegistry(http)`. Public unless `metricsToken`
 *                    is set: then `Authorization: Bearer <metricsToken>` (Prometheus'
 *                    `bearer_token_file`).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { authError, sendAuthError } from '../auth/guard.js';
import { registerIngestMetrics } from './ingest-metrics.js';
import type { ServerPlugin } from './server.js';

export interface ObservabilityOptions {
  /** Require this bearer token on /metrics (absent: public). */
  readonly metricsToken?: string;
  /** Node.js process metrics (event loop lag, heap, GC); default true. */
  readonly defaultMetrics?: boolean;
}

const registries = new WeakMap<FastifyInstance, Registry>();

/** The Prometheus registry of this HTTP instance (the server's root `http`), made on first use. */
export function metricsRegistry(app: FastifyInstance): Registry {
  let registry = registries.get(app);
  if (registry === undefined) registries.set(app, (registry = new Registry()));
  return registry;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function installObservability(app: FastifyInstance, opts: ObservabilityOptions = {}): Promise<void> {
  // First: loads what buildHttp queued (@fastify/swagger), so the OpenAPI document sees /metrics.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const registry = metricsRegistry(app);
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route (the pattern, not the URL) and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    // Unknown URLs share one label: a scan must not grow the series without bound.
    duration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const wanted = opts.metricsToken === undefined ? null : digest(opts.metricsToken);
  app.get('/metrics', { schema: { tags: ['server'], summary: 'Prometheus metrics', security: [] } }, async (req, reply) => {
    if (wanted !== null) {
      const m = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
      if (m?.[1] === undefined) return sendAuthError(reply, authError('AUTH_REQUIRED', '/metrics needs `Authorization: Bearer <metrics token>`'));
      if (!timingSafeEqual(digest(m[1]), wanted)) return sendAuthError(reply, authError('AUTH_INVALID', 'wrong metrics token'));
    }
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}

/** The server plugin; register it first (before auth and the routes' plugins). */
export function observabilityPlugin(opts: ObservabilityOptions = {}): ServerPlugin {
  return async (ctx) => {
    await installObservability(ctx.http, opts);
    registerIngestMetrics(metricsRegistry(ctx.http), ctx.writer, ctx.rejects);
  };
}
