/**
 * The gateway's HTTP side (fastify; build separate from listen, tested with inject()):
 * - GET /lists/:audience/:list/:file — the cached signed list files, by the hub's list-file route
 *   (@rescard/shared/hub), at the same relative paths as the server's, so a terminal's list
 *   baseUrl can be the gateway. The files are verified by the terminals: no auth needed.
 * - GET /health — outbox, upstream, relay and terminal status (for a technician).
 */
import { serveListFiles } from '@rescard/shared/hub';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface HttpDeps {
  readonly cacheRoot: string;
  readonly health: () => Record<string, unknown>;
  readonly logger: Logger;
}

export function buildHttp(deps: HttpDeps): FastifyInstance {
  // pino's Logger and fastify's base logger type differ only in optional members.
  // Stopping cuts every connection: a keep-alive socket that was not idle at that instant would
  // otherwise hold close() for the keep-alive timeout (72 s). Terminals retry their downloads.
  const app = Fastify({ loggerInstance: deps.logger, forceCloseConnections: true }) as unknown as FastifyInstance;
  app.get('/health', () => ({ ok: true, ...deps.health() }));
  serveListFiles(app, deps.cacheRoot);
  return app;
}
