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
import { createListService, listRoutes, loadOrCreateListSigningKey, type ListEntryInput } from '../lists/index.js';
import { checkListKey } from '../lists/list-input.js';
import type { PluginHandle, ServerContext } from './server.js';

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

export async function listsPlugin(ctx: ServerContext): Promise<PluginHandle> {
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
  ctx.http.get('/api/lists', () => ({ lists: service.states() }));
  ctx.http.get('/api/lists/signing-key', () => ({ kid: key.kid, publicKeyPem: key.publicKeyPem }));
  ctx.http.put<{ Params: Target; Body: { entries: ListEntryInput[] } }>('/api/lists/:list/:audience/entries', { schema: { params, body: entriesBody } }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.upsert(t.list, t.audience, req.body.entries) };
  });
  ctx.http.delete<{ Params: Target; Body: { tokens: string[] } }>('/api/lists/:list/:audience/entries', { schema: { params, body: tokensBody } }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.remove(t.list, t.audience, req.body.tokens) };
  });
  ctx.http.post<{ Params: Target; Body: { entries: ListEntryInput[] } }>('/api/lists/:list/:audience/snapshot', { schema: { params, body: entriesBody } }, async (req) => {
    const t = target(req.params);
    return { list: t.list, audience: t.audience, version: await service.setEntries(t.list, t.audience, req.body.entries) };
  });
  await service.start();
  return { close: () => service.stop() };
}
