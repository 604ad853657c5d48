/**
 * The list distribution mounted on the server (ADR 0004): the signing key from the data folder,
 * the list service publishing on the embedded broker, the file routes, and a small operator API
 * (the importers and roles come with the server-domain issue):
 *
 *   GET    /api/lists                               versions and files of every list
 *   GET    /api/lists/signing-key                   { kid, publicKeyPem } for device provisioning
 *   PUT    /api/lists/:list/:audience/entries        { entries: [{ token, category?, validFrom?, validTo?, attrs? }] } → { version }
 *   DELETE /api/lists/:list/:audience/entries        { tokens: [token] } → { version }
 *   POST   /api/lists/:list/:audience/snapshot       { entries } replaces the whole list → { version }
 */
import { RescardError } from '@rescard/shared';
import type { FastifyRequest } from 'fastify';
import type { Resource } from '../auth/policy.js';
import { createListService, listRoutes, loadOrCreateListSigningKey, type ListEntryInput, type ListService } from '../lists/index.js';
import { checkListKey } from '../lists/list-input.js';
import type { PluginHandle, ServerContext, ServerPlugin } from './server.js';

const params = {
  type: 'object',
  required: ['list', 'audience'],
  properties: { list: { type: 'string', maxLength: 16 }, audience: { type: 'string', maxLength: 72 } },
} as const;
const entryItem = { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 64 } } } as const;
const entriesBody = { type: 'object', required: ['entries'], properties: { entries: { type: 'array', maxItems: 100_000, items: entryItem } } } as const;
const tokensBody = { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', maxItems: 100_000, items: { type: 'string', maxLength: 64 } } } } as const;

interface Target {
  list: string;
  audience: string;
}

/** Operator access (docs/auth.md): a school account may change only its schools' audiences. */
const audienceOf = (req: FastifyRequest): Resource => ({ audience: (req.params as Target).audience });
const tags = ['lists'];
const listState = {
  type: 'object',
  properties: {
    list: { type: 'string' }, audience: { type: 'string' }, version: { type: 'integer', description: 'the newest version committed' },
    published: { type: 'integer', description: 'the newest version announced to devices' }, publishedBase: { type: ['integer', 'null'] },
    deltaFloor: { type: 'integer', description: 'the oldest base a delta can start from' }, filesExpireMs: { type: ['integer', 'null'] },
  },
} as const;
const listsReply = { 200: { type: 'object', properties: { lists: { type: 'array', items: listState } } } } as const;
const versionReply = { 200: { type: 'object', properties: { list: { type: 'string' }, audience: { type: 'string' }, version: { type: 'integer' } } } } as const;

async function mountLists(ctx: ServerContext): Promise<PluginHandle & { readonly service: ListService }> {
  if (ctx.dataDir === null) throw new RescardError('CONFIG_INVALID', 'list distribution needs a data folder');
  const dataDir = ctx.dataDir;
  const key = await loadOrCreateListSigningKey(dataDir, ctx.log);
  const service = await createListService({
    dataDir,
    signer: key.signer,
    publish: (topic, payload, opts) => ctx.broker.publish(topic, payload, opts),
    clock: { wallMs: () => Date.now() },
    log: ctx.log,
  });
  await ctx.http.register(listRoutes, { dataDir });
  const target = (p: Target): { list: ReturnType<typeof checkListKey>; audience: string } => ({ list: checkListKey(p.list, p.audience), audience: p.audience });
  ctx.http.get('/api/lists', { schema: { tags, summary: 'Versions and files of every list', response: listsReply }, config: { auth: { action: 'list:read' } } }, () => ({ lists: service.states() }));
  ctx.http.get('/api/lists/signing-key', {
    schema: { tags, summary: 'The list-signing public key, for device provisioning', response: { 200: { type: 'object', properties: { kid: { type: 'string' }, publicKeyPem: { type: 'string' } } } } },
    config: { auth: { action: 'list:read' } },
  }, () => ({ kid: key.kid, publicKeyPem: key.publicKeyPem }));
  const write = { auth: { action: 'list:write', resource: audienceOf } } as const;
  ctx.http.put<{ Params: Target; Body: { entries: ListEntryInput[] } }>('/api/lists/:list/:audience/entries', {
    schema: { tags, summary: 'Add or change entries → the new version', params, body: entriesBody, response: versionReply }, config: write,
  }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.upsert(t.list, t.audience, req.body.entries) };
  });
  ctx.http.delete<{ Params: Target; Body: { tokens: string[] } }>('/api/lists/:list/:audience/entries', {
    schema: { tags, summary: 'Remove entries by token → the new version', params, body: tokensBody, response: versionReply }, config: write,
  }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.remove(t.list, t.audience, req.body.tokens) };
  });
  ctx.http.post<{ Params: Target; Body: { entries: ListEntryInput[] } }>('/api/lists/:list/:audience/snapshot', {
    schema: { tags, summary: 'Replace the whole list → the new version', params, body: entriesBody, response: versionReply }, config: write,
  }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.setEntries(t.list, t.audience, req.body.entries) };
  });
  await service.start();
  return { close: () => service.stop(), service };
}

/** The list distribution as a server plugin. */
export const listsPlugin: ServerPlugin = (ctx) => mountLists(ctx);

/** The plugin and, once it has started, its list service (the registries write lists through it). */
export function createListsPlugin(): { readonly plugin: ServerPlugin; service(): ListService } {
  let mounted: ListService | null = null;
  return {
    plugin: async (ctx) => {
      const handle = await mountLists(ctx);
      mounted = handle.service;
      return handle;
    },
    service: () => {
      if (mounted === null) throw new RescardError('CONFIG_INVALID', 'the list service is not started: register the lists plugin before the plugins that use it');
      return mounted;
    },
  };
}
