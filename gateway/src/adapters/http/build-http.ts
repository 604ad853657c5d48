/**
 * The gateway's HTTP side (fastify; build separate from listen, tested with inject()):
 * - GET /lists/:audience/:list/:file — the cached signed list files, at the same relative paths
 *   as the server's, so a terminal's list baseUrl can be the gateway. Only names the server
 *   writes are admitted (the route's JSON Schema); the resolved path is checked to stay in the
 *   cache. The files are verified by the terminals, so serving them needs no auth to be safe.
 * - GET /health — outbox, upstream, relay and terminal status (for a technician).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface HttpDeps {
  readonly cacheRoot: string;
  readonly health: () => Record<string, unknown>;
  readonly logger: Logger;
}

const paramsSchema = {
  type: 'object',
  required: ['audience', 'list', 'file'],
  additionalProperties: false,
  properties: {
    audience: { type: 'string', pattern: '^(region|school:[A-Za-z0-9._-]{1,64})$' },
    list: { type: 'string', enum: ['benefit', 'stoplist', 'roster', 'canteen'] },
    file: { type: 'string', pattern: '^(snapshot-[1-9][0-9]{0,15}|delta-[1-9][0-9]{0,15}-[1-9][0-9]{0,15})\\.ndjson$' },
  },
} as const;

export function buildHttp(deps: HttpDeps): FastifyInstance {
  // pino's Logger and fastify's base logger type differ only in optional members.
  // Stopping cuts every connection: a keep-alive socket that was not idle at that instant would
  // otherwise hold close() for the keep-alive timeout (72 s). Terminals retry their downloads.
  const app = Fastify({ loggerInstance: deps.logger, forceCloseConnections: true }) as unknown as FastifyInstance;
  const root = resolve(deps.cacheRoot);
  app.get('/health', () => ({ ok: true, ...deps.health() }));
  app.get<{ Params: { audience: string; list: string; file: string } }>('/lists/:audience/:list/:file', { schema: { params: paramsSchema } }, async (req, reply) => {
    const { audience, list, file } = req.params;
    const path = resolve(join(root, audience, list, file));
    if (!path.startsWith(root + sep)) return reply.code(404).send({ error: 'not found' });
    const st = await stat(path).catch(() => null);
    if (st?.isFile() !== true) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-length', st.size)
      .header('cache-control', 'public, max-age=60')
      .header('last-modified', st.mtime.toUTCString())
      .send(createReadStream(path));
  });
  return app;
}
