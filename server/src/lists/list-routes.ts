/**
 * GET /lists/:audience/:list/:file — the prebuilt signed list files, streamed from
 * dataDir/lists/files by the hub's list-file route (@rescard/shared/hub: only the names the
 * server writes are admitted, nothing outside the folder is served, no auth needed: the devices
 * verify the files).
 */
import { resolve } from 'node:path';
import { serveListFiles } from '@rescard/shared/hub';
import type { FastifyPluginAsync } from 'fastify';

export interface ListRoutesOptions {
  /** The server's data folder (files under dataDir/lists/files). */
  readonly dataDir: string;
}

export const listRoutes: FastifyPluginAsync<ListRoutesOptions> = (app, opts) => {
  serveListFiles(app, resolve(opts.dataDir, 'lists', 'files'));
  return Promise.resolve();
};
