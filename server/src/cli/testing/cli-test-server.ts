/**
 * The real server for the CLI tests: openServer (SQLite files in a temp folder, aedes, HTTP on
 * port 0) with the real registry plugin (imports, stop-list, why) over the real list service and
 * the real PKI plugin (enrolment tokens, registry, revocation). Operator auth and reports are not
 * written yet, so two small plugins stand in with the documented shapes:
 *
 *   POST /api/auth/login { username, password } → { token, expiresAt, account: { username, role } }
 *   POST /api/auth/logout
 *   GET  /api/reports/:name?from&to&format=csv|json&… → streamed body
 *
 * and the plugins' `authorize` seam checks `Authorization: Bearer` against two fixed tokens:
 * ADMIN_TOKEN (everything) and AUDITOR_TOKEN (reads only). Not used by production code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isRescardError, RescardError } from '@rescard/shared';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { openServer } from '../../app/open-server.js';
import { pkiPlugin } from '../../app/pki-plugin.js';
import { registryPlugin } from '../../app/registry-plugin.js';
import type { RunningServer, ServerContext, ServerPlugin } from '../../app/server.js';
import { loadServerConfig } from '../../config/server-config.js';
import { createListService, loadOrCreateListSigningKey } from '../../lists/index.js';

export const ADMIN_TOKEN = 'rca_test-admin-token-000000000000000000000000000';
export const AUDITOR_TOKEN = 'rca_test-auditor-token-0000000000000000000000000';
export const SESSION_TOKEN = 'rcs_test-session-token-0000000000000000000000000';
export const USER = { username: 'anna', password: 'correct horse battery' } as const;

const ROLES: Record<string, 'admin' | 'auditor'> = { [ADMIN_TOKEN]: 'admin', [SESSION_TOKEN]: 'admin', [AUDITOR_TOKEN]: 'auditor' };
const READS = new Set(['import.read', 'stoplist.read', 'cards.why', 'device:read']);

export interface ReportHooks {
  /** Awaited by the streamed report after its first part: a test holds the stream open here. */
  midway?: () => Promise<void>;
}

export interface CliTestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly server: RunningServer;
  /** Every Authorization header the server saw, in order. */
  readonly authorizations: (string | undefined)[];
  /** The query of each report request. */
  readonly reportQueries: Record<string, string>[];
  readonly logins: { username: string; password: string }[];
  readonly reportHooks: ReportHooks;
  stop(): Promise<void>;
}

/** The bytes of the `big` report (CSV): a header and `rows` lines. */
export function bigReportLines(rows: number): string[] {
  const lines = ['holder_token,month,trips'];
  for (let i = 0; i < rows; i++) lines.push(`tok${String(i).padStart(8, '0')},2025-09,${i % 60}`);
  return lines;
}

export const BIG_REPORT_ROWS = 200_000;

export async function startCliTestServer(): Promise<CliTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rescard-cli-'));
  const authorizations: (string | undefined)[] = [];
  const reportQueries: Record<string, string>[] = [];
  const logins: { username: string; password: string }[] = [];
  const reportHooks: ReportHooks = {};

  const check = (req: FastifyRequest, action: string, statusError: (status: number, code: 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'FORBIDDEN', message: string) => Error): void => {
    const header = req.headers.authorization;
    authorizations.push(header);
    if (header === undefined) throw statusError(401, 'AUTH_REQUIRED', 'send Authorization: Bearer <token>');
    const role = ROLES[header.replace(/^Bearer /, '')];
    if (role === undefined) throw statusError(401, 'AUTH_INVALID', 'unknown or expired token');
    if (role === 'auditor' && !READS.has(action) && !action.startsWith('report:')) throw statusError(403, 'FORBIDDEN', `role auditor may not ${action}`);
  };
  const rescardError = (status: number, code: 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'FORBIDDEN', message: string): Error => new RescardError(code, message, { status });
  // pki-plugin passes codes it does not know to the root handler, which keys on statusCode.
  const statusError = (status: number, _code: string, message: string): Error => Object.assign(new Error(message), { statusCode: status });

  const registry: ServerPlugin = async (ctx: ServerContext) => {
    const key = await loadOrCreateListSigningKey(dataDir, ctx.log);
    const lists = await createListService({
      dataDir, signer: key.signer, clock: { wallMs: () => Date.now() }, log: ctx.log,
      publish: (topic, payload, opts) => ctx.broker.publish(topic, payload, opts),
    });
    await lists.start();
    const handle = await registryPlugin({ lists, tokenKeysMode: 'random', authorize: (req, action) => check(req, action, rescardError), actorOf: () => 'anna' })(ctx);
    return {
      async close() {
        await handle?.close?.();
        await lists.stop();
      },
    };
  };

  // The routes the auth and reports engineers are writing, with their documented error bodies.
  const authAndReports: ServerPlugin = async (ctx: ServerContext) => {
    await ctx.http.register((app: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => {
      app.setErrorHandler((err: FastifyError, _req, reply) => {
        if (err.validation) return reply.code(400).send({ error: { code: 'REQUEST_INVALID', message: err.message } });
        const status = isRescardError(err) && typeof err.details['status'] === 'number' ? err.details['status'] : 400;
        return reply.code(status).send({ error: { code: isRescardError(err) ? err.code : 'REQUEST_INVALID', message: err.message } });
      });
      app.post<{ Body: { username: string; password: string } }>('/api/auth/login', async (req, reply) => {
        logins.push(req.body);
        if (req.body.username !== USER.username || req.body.password !== USER.password) {
          return reply.code(401).send({ error: { code: 'AUTH_INVALID', message: 'wrong username or password' } });
        }
        return { token: SESSION_TOKEN, expiresAt: '2099-01-01T00:00:00.000Z', account: { username: USER.username, role: 'admin' } };
      });
      app.post('/api/auth/logout', (req) => {
        check(req, 'self:write', rescardError);
        return { ok: true };
      });
      const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' } as const;
      app.get<{ Params: { name: string }; Querystring: Record<string, string> }>(
        '/api/reports/:name',
        { schema: { querystring: { type: 'object', required: ['from', 'to'], properties: { from: date, to: date, format: { type: 'string', enum: ['csv', 'json', 'ndjson'] } } } } },
        (req, reply) => {
          check(req, `report:${req.params.name}`, rescardError);
          reportQueries.push({ ...req.query });
          if (req.params.name !== 'big') throw new RescardError('REQUEST_INVALID', `no report ${req.params.name}`, { status: 404 });
          const lines = bigReportLines(BIG_REPORT_ROWS);
          const first = Math.floor(lines.length / 10);
          async function* body(): AsyncGenerator<string> {
            yield lines.slice(0, first).join('\n') + '\n';
            await reportHooks.midway?.();
            for (let i = first; i < lines.length; i += 5000) yield lines.slice(i, i + 5000).join('\n') + '\n';
          }
          return reply.type(req.query['format'] === 'json' ? 'application/json' : 'text/csv; charset=utf-8').send(Readable.from(body()));
        },
      );
      done();
    });
  };

  const config = loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent' });
  const server = await openServer(config, pino({ level: 'silent' }), [
    registry,
    pkiPlugin({ authorize: (req, action) => check(req, action, statusError), actorOf: () => 'anna' }),
    authAndReports,
  ]);
  return {
    url: `http://127.0.0.1:${server.ports.http}`,
    dataDir, server, authorizations, reportQueries, logins, reportHooks,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
