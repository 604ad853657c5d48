/**
 * GET /lists/:audience/:list/:file — signed list files streamed from a folder laid out as
 * <root>/<audience>/<list>/<file>: the server's prebuilt files and the gateway's cache of them,
 * at the same relative paths, so a terminal's list baseUrl can be either. The route's JSON Schema
 * admits only the names the server writes (snapshot-<v>.ndjson, delta-<base>-<v>.ndjson), the
 * four lists and region | school:<id> audiences, so no parameter can name another path; the
 * resolved path is checked to stay under the root anyway. The files are verified by the devices,
 * so serving them needs no auth to be safe; the route serves nothing else.
 * No ETag and no Range: a device downloads a whole file and checks its signature.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

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

interface Params {
  audience: string;
  list: string;
  file: string;
}

/** Adds the route to `app`, serving the files under `filesRoot`. */
export function serveListFiles(app: FastifyInstance, filesRoot: string): void {
  const root = resolve(filesRoot);
  app.get<{ Params: Params }>('/lists/:audience/:list/:file', { schema: { params: paramsSchema } }, async (req, reply) => {
    const { audience, list, file } = req.params;
    const path = resolve(join(root, audience, list, file));
    if (!path.startsWith(root + sep) || audience === '.' || audience === '..') return reply.code(404).send({ error: 'not found' });
    const st = await stat(path).catch(() => null);
    if (st?.isFile() !== true) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-length', st.size)
      // Re-signing rewrites a file under the same name (new expiry): cache briefly, revalidate.
      .header('cache-control', 'public, max-age=60')
      .header('last-modified', st.mtime.toUTCString())
      .send(createReadStream(path));
  });
}
