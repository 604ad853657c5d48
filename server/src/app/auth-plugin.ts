/**
 * Operator access on the HTTP API (docs/auth.md): accounts, sessions and API tokens in
 * dataDir/auth/auth.db, the policy on every /api/ route, the audit log of every change.
 *
 *   onRequest   every /api/ request (but POST /api/auth/login) needs `Authorization: Bearer
 *               <token>`: 401 AUTH_REQUIRED / AUTH_INVALID before the body is even read
 *   preHandler  the route's `config.auth.action` (default `unclassified`: admin only) and the
 *               resource's scope: 403 FORBIDDEN
 *   onResponse  every POST/PUT/PATCH/DELETE under /api/ by a principal goes to the audit log:
 *               who, when, route, params, body field names (never the body), status, why
 *
 * Public: /health, /enroll, /lists/*, /docs, /metrics (see the observability plugin). Register
 * this plugin before any plugin that registers routes in a child context (`http.register`), so
 * the hooks reach them.
 */
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import { RescardError } from '@rescard/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { openAuthDb, storeError, type AuthDb } from '../auth/auth-db.js';
import { appendAudit } from '../auth/audit-log.js';
import { safeParams, summariseBody, whyOf } from '../auth/audit-redact.js';
import { registerAuthRoutes } from '../auth/auth-routes.js';
import { bootstrapAdmin } from '../auth/bootstrap.js';
import { resolveToken } from '../auth/credentials.js';
import { authError, authorize, sendAuthError } from '../auth/guard.js';
import { DEFAULT_LOGIN_LIMITS, loginLimiter, type LoginLimits } from '../auth/login-limits.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../auth/password.js';
import type { PluginHandle, ServerPlugin } from './server.js';

export interface AuthOptions {
  readonly loginLimits?: LoginLimits;
  /** Login sessions last this long (default 12 h). */
  readonly sessionTtlMs?: number;
  readonly scryptCost?: ScryptCost;
  /** Wall clock (tests move it). */
  readonly now?: () => number;
}

export interface AuthHandle extends PluginHandle {
  readonly db: AuthDb;
  /** The bootstrap.json written at this start, or null. */
  readonly bootstrapFile: string | null;
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BEARER = /^Bearer +(\S+)$/i;
const WHY_NOT: Record<'unknown' | 'expired' | 'revoked' | 'disabled', string> = {
  unknown: 'unknown token', expired: 'the token has expired: log in again', revoked: 'the token was revoked', disabled: 'the account is disabled',
};

/** Under /api/, judged by the matched route and by the raw path (an encoded path must not slip by). */
function isApi(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  return [req.routeOptions.url ?? '', path].some((p) => p === '/api' || p.startsWith('/api/'));
}

export async function installAuth(app: FastifyInstance, opts: AuthOptions & { readonly dataDir: string; readonly log: Logger }): Promise<AuthHandle> {
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ module: 'auth' });
  const authDir = join(opts.dataDir, 'auth');
  const db = openAuthDb(join(authDir, 'auth.db'));
  try {
    const bootstrapFile = await bootstrapAdmin(db, authDir, now(), log, opts.scryptCost);
    app.decorateRequest('principal', null);
    await app.register(rateLimit, { global: false });

    app.addHook('onRequest', async (req, reply) => {
      if (!isApi(req) || req.routeOptions.config.auth?.public === true) return;
      const m = BEARER.exec(req.headers.authorization ?? '');
      if (m?.[1] === undefined) return sendAuthError(reply, authError('AUTH_REQUIRED', 'this request needs `Authorization: Bearer <token>` (POST /api/auth/login or an API token)'));
      let resolved;
      try {
        resolved = resolveToken(db, m[1], now());
      } catch (err) {
        throw storeError(err, 'check a token');
      }
      if (!resolved.ok) return sendAuthError(reply, authError('AUTH_INVALID', WHY_NOT[resolved.reason], { reason: resolved.reason }));
      req.principal = resolved.principal;
    });

    app.addHook('preHandler', async (req, reply) => {
      const auth = req.routeOptions.config.auth;
      if (!isApi(req) || auth?.public === true) return;
      try {
        authorize(req, auth?.action ?? 'unclassified', auth?.resource?.(req));
      } catch (err) {
        if (err instanceof RescardError) return sendAuthError(reply, err);
        throw err;
      }
    });

    app.addHook('onResponse', async (req, reply) => {
      const p = req.principal;
      if (p === null || !CHANGES.has(req.method) || !isApi(req) || req.routeOptions.config.auth?.audit === false) return;
      try {
        appendAudit(db, {
          atMs: now(), event: 'http', actor: { accountId: p.accountId, username: p.username, role: p.role, credentialId: p.credential.id },
          method: req.method, route: req.routeOptions.url ?? req.url.split('?')[0] ?? '', status: reply.statusCode, ip: req.ip,
          target: { params: safeParams(req.params), body: summariseBody(req.body) }, why: whyOf(req.headers['x-rescard-reason'], req.body),
        });
      } catch (err) {
        log.error({ err, method: req.method, route: req.routeOptions.url, status: reply.statusCode }, 'audit log write failed after a change');
      }
    });

    const limiter = loginLimiter(app, opts.loginLimits ?? DEFAULT_LOGIN_LIMITS);
    await app.register((child) => {
      // Auth errors thrown in these handlers answer with their own status; the rest goes on to the parent's handler.
      child.setErrorHandler((err, _req, reply) => {
        if (err instanceof RescardError && typeof err.details['status'] === 'number' && ['AUTH_REQUIRED', 'AUTH_INVALID', 'FORBIDDEN', 'RATE_LIMITED'].includes(err.code)) return sendAuthError(reply, err);
        throw err;
      });
      registerAuthRoutes(child, { db, now, sessionTtlMs: opts.sessionTtlMs ?? 12 * 3_600_000, cost: opts.scryptCost ?? DEFAULT_SCRYPT_COST, limiter, log });
      return Promise.resolve();
    });
    return {
      db, bootstrapFile, close: () => {
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The server plugin: `createServer({ plugins: [observabilityPlugin(), authPlugin(), listsPlugin, …] })`. */
export function authPlugin(opts: AuthOptions = {}): ServerPlugin {
  return async (ctx) => {
    if (ctx.dataDir === null) throw new RescardError('CONFIG_INVALID', 'operator access needs a data folder (auth/auth.db)');
    return installAuth(ctx.http, { ...opts, dataDir: ctx.dataDir, log: ctx.log });
  };
}
