/**
 * The registries on the server (docs/imports.md): CSV imports, the operators' stop-list and the
 * "why was this card denied" lookup. State in dataDir/registry/registry.db; lists go out through
 * the list service (lists-plugin) as signed versions.
 *
 *   POST   /api/imports/:kind?importId=   text/csv body (holders | roster | canteen) → import record
 *   GET    /api/imports/:id                record (+ live progress while it runs)
 *   GET    /api/imports?limit=             recent imports
 *   POST   /api/stoplist                   { pan | par | token(+kid), reason, expiresAt?, note? } → { version, token, panMasked, … }
 *   DELETE /api/stoplist/:token?kid=       → { version, … }
 *   DELETE /api/stoplist                   { pan | par | token, note? } → { version, … }
 *   GET    /api/stoplist/propagation?version=N   devices at or past N, devices behind (last seen)
 *   POST   /api/cards/why                  { pan | par | token, tapLimit? } → entries, stop-list, last taps
 *
 * Authorisation is a seam: `authorize(req, action)` throws to refuse (default: allow), `actorOf`
 * names who acts (default 'system'). Actions: import.holders, import.roster, import.canteen,
 * import.read, stoplist.add, stoplist.remove, stoplist.read, cards.why.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RescardError, isRescardError, type TokenKeyring } from '@rescard/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ListService } from '../lists/index.js';
import { loadOrCreateTokenKeys, type TokenKeysMode } from '../keys/token-keys.js';
import { resolveCard, type CardRefInput } from '../registry/card-ref.js';
import { lookupCard } from '../registry/card-lookup.js';
import { tooLarge } from '../registry/csv-rows.js';
import { DEFAULT_BENEFIT, DEFAULT_MEAL, type Categories, type ImportKind } from '../registry/import-kinds.js';
import { createImportService } from '../registry/import-service.js';
import { propagationView } from '../registry/propagation-view.js';
import { openRegistryDb } from '../registry/registry-db.js';
import * as S from '../registry/registry-schemas.js';
import { createStopList } from '../registry/stoplist-service.js';
import { openTapLookup } from '../registry/tap-lookup.js';
import type { PluginHandle, ServerContext, ServerPlugin } from './server.js';

export interface RegistryPluginOptions {
  /** The list service (from lists-plugin), or a getter resolved when this plugin starts. */
  readonly lists: ListService | (() => ListService);
  /** Default: the data folder's keyring (keys/token-keys.json), made in `tokenKeysMode` when missing. */
  readonly tokenKeys?: TokenKeyring;
  readonly tokenKeysMode?: TokenKeysMode;
  readonly authorize?: (req: FastifyRequest, action: string) => void | Promise<void>;
  readonly actorOf?: (req: FastifyRequest) => string;
  /** Largest CSV upload (default 256 MiB; about 3M holder rows). */
  readonly maxImportBytes?: number;
  readonly benefitCategories?: Categories;
  readonly mealPlans?: Categories;
  readonly timeZone?: string;
  readonly clock?: { wallMs(): number };
  readonly sweepIntervalMs?: number;
}

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

export function registryPlugin(opts: RegistryPluginOptions): ServerPlugin {
  return async (ctx: ServerContext): Promise<PluginHandle> => {
    if (ctx.dataDir === null) throw new RescardError('CONFIG_INVALID', 'the registries need a data folder');
    const dataDir = ctx.dataDir;
    const lists = typeof opts.lists === 'function' ? opts.lists() : opts.lists;
    const keyring = opts.tokenKeys ?? (await loadOrCreateTokenKeys(dataDir, opts.tokenKeysMode ?? 'random', ctx.log)).keyring;
    const clock = opts.clock ?? { wallMs: () => Date.now() };
    const maxBytes = opts.maxImportBytes ?? 256 * 1024 * 1024;
    const dbPath = join(dataDir, 'registry', 'registry.db');
    const db = openRegistryDb(dbPath);
    const log = ctx.log;
    const imports = createImportService({
      db, dbPath, lists, clock, log, maxBytes,
      rules: { keyring, benefit: opts.benefitCategories ?? DEFAULT_BENEFIT, meal: opts.mealPlans ?? DEFAULT_MEAL },
    });
    const stop = createStopList({ db, lists, keyring, clock, log, ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), ...(opts.sweepIntervalMs ? { sweepIntervalMs: opts.sweepIntervalMs } : {}) });
    const taps = openTapLookup(join(dataDir, 'server.db'));
    const authorize = opts.authorize ?? (() => undefined);
    const actorOf = opts.actorOf ?? (() => 'system');
    const guard = (action: string) => async (req: FastifyRequest): Promise<void> => {
      await authorize(req, action);
    };

    await ctx.http.register((app: FastifyInstance, _opts, done) => {
      app.setErrorHandler(errorHandler);
      // The CSV body stays a stream: parsed as it arrives, never buffered or spooled to disk.
      app.addContentTypeParser(CSV_TYPES, (_req, payload, done) => done(null, payload));

      app.post<{ Params: { kind: ImportKind }; Querystring: { importId?: string; school?: string } }>(
        '/api/imports/:kind',
        {
          schema: { params: S.importParams, querystring: S.importQuery, response: { 200: S.importRecord, ...S.errors } },
          preHandler: (req) => guard(`import.${req.params.kind}`)(req),
          // ?school=<id> scopes the import to one school: a school account may upload its own.
          config: { auth: { action: 'import:write', resource: (req: FastifyRequest) => schoolOf(req) } },
        },
        async (req, reply) => {
          const length = Number(req.headers['content-length'] ?? NaN);
          if (length > maxBytes) {
            void reply.header('connection', 'close');
            throw tooLarge(maxBytes);
          }
          const body = req.body as Readable | undefined;
          if (body === undefined || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
            throw new RescardError('REQUEST_INVALID', `send the CSV file as the body with Content-Type ${CSV_TYPES[0] ?? ''}`);
          }
          try {
            const { importId, school } = req.query;
            return await imports.run(req.params.kind, body, { actor: actorOf(req), ...(importId ? { id: importId } : {}), ...(school ? { onlySchool: school } : {}) });
          } catch (err) {
            if (isRescardError(err, 'IMPORT_TOO_LARGE')) void reply.header('connection', 'close');
            throw err;
          }
        },
      );
      app.get<{ Params: { id: string } }>(
        '/api/imports/:id',
        { schema: { params: S.importIdParams, response: { 200: S.importRecord, ...S.errors } }, preHandler: guard('import.read'), config: { auth: { action: 'import:read' } } },
        (req) => imports.get(req.params.id) ?? notFound(`no import ${req.params.id}`),
      );
      app.get<{ Querystring: { limit: number } }>(
        '/api/imports',
        { schema: { querystring: S.recentQuery, response: { 200: { type: 'object', properties: { imports: { type: 'array', items: S.importRecord } } }, ...S.errors } }, preHandler: guard('import.read'), config: { auth: { action: 'import:read' } } },
        (req) => ({ imports: imports.recent(req.query.limit) }),
      );

      app.post<{ Body: CardRefInput & { reason: string; expiresAt?: string; note?: string } }>(
        '/api/stoplist',
        { schema: { body: S.stopAddBody, response: { 200: S.stopChange, ...S.errors } }, preHandler: guard('stoplist.add'), config: { auth: { action: 'stoplist:write' } } },
        (req) => stop.add({ ...req.body, actor: actorOf(req) }),
      );
      app.delete<{ Params: { token: string }; Querystring: { kid?: string } }>(
        '/api/stoplist/:token',
        { schema: { params: S.stopTokenParams, querystring: S.stopTokenQuery, response: { 200: S.stopChange, ...S.errors } }, preHandler: guard('stoplist.remove'), config: { auth: { action: 'stoplist:write' } } },
        (req) => stop.remove({ token: req.params.token, kid: req.query.kid, actor: actorOf(req) }),
      );
      app.delete<{ Body: CardRefInput & { note?: string } }>(
        '/api/stoplist',
        { schema: { body: S.stopRemoveBody, response: { 200: S.stopChange, ...S.errors } }, preHandler: guard('stoplist.remove'), config: { auth: { action: 'stoplist:write' } } },
        (req) => stop.remove({ ...req.body, actor: actorOf(req) }),
      );
      app.get<{ Querystring: { version: number } }>(
        '/api/stoplist/propagation',
        { schema: { querystring: S.propagationQuery, response: { 200: S.propagationBody, ...S.errors } }, preHandler: guard('stoplist.read'), config: { auth: { action: 'stoplist:read' } } },
        (req) => ({
          ...propagationView(ctx.query.devices(), 'stoplist', req.query.version),
          currentVersion: lists.states().find((s) => s.list === 'stoplist' && s.audience === 'region')?.version ?? 0,
        }),
      );
      app.post<{ Body: CardRefInput & { tapLimit: number } }>(
        '/api/cards/why',
        { schema: { body: S.whyBody, response: { 200: S.whyReply, ...S.errors } }, preHandler: guard('cards.why'), config: { auth: { action: 'stoplist:read' } } },
        (req) => lookupCard(resolveCard(req.body, keyring, 'lookup'), { db, stop, taps }, req.body.tapLimit),
      );
      done();
    });

    await stop.start();
    return {
      async close() {
        await stop.stop();
        taps.close();
        db.close();
      },
    };
  };
}

/** The school a school-limited import names (`?school=`); none: the whole region. */
function schoolOf(req: FastifyRequest): { schoolId: string } | undefined {
  const school = (req.query as { school?: unknown }).school;
  return typeof school === 'string' ? { schoolId: school } : undefined;
}

function notFound(message: string): never {
  throw new RescardError('REQUEST_INVALID', message, { status: 404 });
}

const STATUS: Partial<Record<string, number>> = { IMPORT_TOO_LARGE: 413, REGISTRY_STORE_FAILURE: 503, SERVER_STORE_FAILURE: 503 };

function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, code: string, message: string, details?: Record<string, unknown>): FastifyReply =>
    reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });
  if (err.validation) return send(400, 'REQUEST_INVALID', err.message);
  if (isRescardError(err)) {
    const explicit = err.details['status'];
    const status = typeof explicit === 'number' ? explicit : (STATUS[err.code] ?? 400);
    if (status >= 500) req.log.error({ code: err.code, details: err.details }, err.message);
    const details = err.code === 'IMPORT_INVALID' ? { importId: err.details['importId'], errorCount: err.details['errorCount'], errors: err.details['errors'] } : undefined;
    return send(status, err.code, err.message, details);
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(413, 'IMPORT_TOO_LARGE', 'the request body is too large');
  if (typeof err.statusCode === 'number' && err.statusCode < 500) return send(err.statusCode, 'REQUEST_INVALID', err.message);
  req.log.error({ err }, 'unexpected error');
  return send(500, 'INTERNAL', 'internal error');
}
