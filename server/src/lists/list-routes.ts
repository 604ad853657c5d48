/**
 * GET /lists/:audience/:list/:file — the prebuilt signed list files, streamed from
 * dataDir/lists/files. The route's JSON Schema admits only the names the server writes
 * (snapshot-<v>.ndjson, delta-<base>-<v>.ndjson), the four lists and region | school:<id>
 * audiences, so no parameter can name another path; the resolved path is checked to stay under
 * the files folder anyway. Files are verified by the devices, so this route needs no auth to be
 * safe; it serves nothing else.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

export interface ListRoutesOptions {
  /** The server's data folder (files under dataDir/lists/files). */
  readonly dataDir: string;
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

interface Params {
  audience: string;
  list: string;
  file: string;
}

export const listRoutes: FastifyPluginAsync<ListRoutesOptions> = (app, opts) => {
  const root = resolve(opts.dataDir, 'lists', 'files');
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
  return Promise.resolve();
};
