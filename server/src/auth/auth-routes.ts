/**
 * The operator-access API (docs/auth.md):
 *
 *   POST   /api/auth/login          {username, password} → {token, expiresAt}   public, rate-limited
 *   POST   /api/auth/logout         revokes the credential of this request
 *   GET    /api/auth/me             the principal
 *   POST   /api/auth/tokens         {name, expiresInDays?, accountId?} → {id, name, token, expiresAt} (token shown once)
 *   GET    /api/auth/tokens         API tokens (own; admin: all)
 *   DELETE /api/auth/tokens/:id     revoke (own; admin: any)
 *   POST   /api/auth/accounts       {username, role, password?, schools?, carriers?, routes?} (admin)
 *   GET    /api/auth/accounts       (admin, auditor)
 *   PATCH  /api/auth/accounts/:id   {role?, password?, disabled?, schools?, …} (admin)
 *   GET    /api/audit               ?from=&to=&afterId=&limit= (admin, auditor)
 *
 * Each change writes its own audit event (with what it made, never a secret).
 */
import { RescardError } from '@rescard/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createAccount, findAccount, listAccounts, replacePasswordHash, updateAccount, type AccountRecord } from './accounts.js';
import type { AuthDb } from './auth-db.js';
import * as s from './auth-schemas.js';
import { appendAudit, queryAudit, type AuditEntryInput } from './audit-log.js';
import { redactText, whyOf } from './audit-redact.js';
import { createSession, getCredential, issueApiToken, listApiTokens, revokeCredential, type CredentialRecord } from './credentials.js';
import { authError, authorize, sendAuthError } from './guard.js';
import type { LoginLimiter } from './login-limits.js';
import { dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptCost } from './password.js';
import type { AccountScope, Principal, Role } from './principal.js';

export interface AuthRoutesDeps {
  readonly db: AuthDb;
  readonly now: () => number;
  readonly sessionTtlMs: number;
  readonly cost: ScryptCost;
  readonly limiter: LoginLimiter;
  readonly log: Logger;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const accountView = (a: AccountRecord): Record<string, unknown> => ({
  id: a.id, username: a.username, role: a.role, scope: a.scope, disabled: a.disabled, createdAt: iso(a.createdAtMs), updatedAt: iso(a.updatedAtMs),
});
const tokenView = (c: CredentialRecord): Record<string, unknown> => ({
  id: c.id, accountId: c.accountId, name: c.name, createdAt: iso(c.createdAtMs), expiresAt: iso(c.expiresAtMs), revokedAt: iso(c.revokedAtMs),
});
const actor = (p: Principal): AuditEntryInput['actor'] => ({ accountId: p.accountId, username: p.username, role: p.role, credentialId: p.credential.id });
const scopeOf = (b: Partial<AccountScope>): Partial<AccountScope> =>
  Object.fromEntries((['schools', 'carriers', 'routes'] as const).filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  const { db, now, limiter } = deps;
  const log = deps.log.child({ module: 'auth' });
  const audit = (req: FastifyRequest, e: Omit<AuditEntryInput, 'atMs' | 'ip' | 'method' | 'route' | 'why'>, status = 200): void => {
    appendAudit(db, { ...e, atMs: now(), ip: req.ip, method: req.method, route: req.routeOptions.url ?? req.url, status, why: whyOf(req.headers['x-rescard-reason'], req.body) });
  };
  const tags = ['auth'];

  app.post<{ Body: { username: string; password: string } }>('/api/auth/login', {
    schema: { tags, summary: 'Log in: a session token for `Authorization: Bearer`', body: s.loginBody, response: s.responses(s.loginReply) },
    config: { auth: { public: true, audit: false } },
  }, async (req, reply) => {
    const { username, password } = req.body;
    const waitS = (await limiter.address(req)) ?? (await limiter.usernameBlocked(req));
    if (waitS !== null) {
      audit(req, { event: 'login.limited', actor: null, target: { username } }, 429);
      log.warn({ username: redactText(username, 64), ip: req.ip }, 'login rate-limited');
      return sendAuthError(reply, authError('RATE_LIMITED', `too many login attempts: retry in ${waitS} s`, { retryAfterS: waitS }));
    }
    const account = findAccount(db, username);
    // An unknown name costs the same scrypt work as a known one: timing does not tell them apart.
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash(deps.cost))) && account?.passwordHash != null;
    if (account === null || !ok || account.disabled) {
      await limiter.failed(req);
      audit(req, { event: 'login.failure', actor: null, target: { username, ...(account?.disabled ? { disabled: true } : {}) } }, 401);
      log.info({ username: redactText(username, 64), ip: req.ip }, 'login failed');
      return sendAuthError(reply, authError('AUTH_INVALID', 'wrong username or password'));
    }
    if (account.passwordHash !== null && needsRehash(account.passwordHash, deps.cost)) replacePasswordHash(db, account.id, await hashPassword(password, deps.cost));
    const session = createSession(db, account.id, now(), deps.sessionTtlMs);
    audit(req, { event: 'login.success', actor: { accountId: account.id, username: account.username, role: account.role, credentialId: session.id } });
    return { token: session.token, expiresAt: iso(session.expiresAtMs) };
  });

  app.post('/api/auth/logout', {
    schema: { tags, summary: 'Log out: revoke the session or API token of this request', response: s.responses({ type: 'object', properties: { revoked: { type: 'boolean' } } }) },
    config: { auth: { action: 'self:write', audit: false } },
  }, (req) => {
    const p = authorize(req, 'self:write');
    const revoked = revokeCredential(db, p.credential.id, now());
    audit(req, { event: 'logout', actor: actor(p), target: { credentialId: p.credential.id, kind: p.credential.kind } });
    return { revoked };
  });

  app.get('/api/auth/me', { schema: { tags, summary: 'Who am I', response: s.responses({ type: 'object', additionalProperties: true }) }, config: { auth: { action: 'self:read' } } }, (req) => {
    const p = authorize(req, 'self:read');
    return { accountId: p.accountId, username: p.username, role: p.role, scope: p.scope, credential: p.credential };
  });

  app.post<{ Body: { name: string; expiresInDays?: number; accountId?: string } }>('/api/auth/tokens', {
    schema: { tags, summary: 'Create an API token (shown once)', body: s.newTokenBody, response: s.responses(s.newTokenReply, 201) },
    config: { auth: { action: 'self:write', audit: false } },
  }, (req, reply) => {
    const p = authorize(req, 'self:write');
    const accountId = req.body.accountId ?? p.accountId;
    if (accountId !== p.accountId) authorize(req, 'account:write');
    const nowMs = now();
    const t = issueApiToken(db, { accountId, name: req.body.name, nowMs, expiresAtMs: req.body.expiresInDays === undefined ? null : nowMs + req.body.expiresInDays * 86_400_000 });
    audit(req, { event: 'token.create', actor: actor(p), target: { tokenId: t.id, accountId, name: req.body.name, expiresAt: iso(t.expiresAtMs) } }, 201);
    return reply.code(201).send({ id: t.id, name: req.body.name, token: t.token, expiresAt: iso(t.expiresAtMs) });
  });

  app.get('/api/auth/tokens', {
    schema: { tags, summary: 'API tokens (own; admin: all)', response: s.responses({ type: 'object', properties: { tokens: { type: 'array', items: s.token } } }) },
    config: { auth: { action: 'self:read' } },
  }, (req) => {
    const p = authorize(req, 'self:read');
    return { tokens: listApiTokens(db, p.role === 'admin' ? null : p.accountId).map(tokenView) };
  });

  app.delete<{ Params: { id: string } }>('/api/auth/tokens/:id', {
    schema: { tags, summary: 'Revoke an API token (own; admin: any)', params: s.idParams, response: s.responses(s.token) },
    config: { auth: { action: 'self:write', audit: false } },
  }, (req) => {
    const p = authorize(req, 'self:write');
    const c = getCredential(db, req.params.id);
    if (c === null || c.kind !== 'api' || (c.accountId !== p.accountId && p.role !== 'admin')) throw new RescardError('REQUEST_INVALID', `no API token ${req.params.id} of yours`, { status: 404 });
    revokeCredential(db, c.id, now());
    audit(req, { event: 'token.revoke', actor: actor(p), target: { tokenId: c.id, accountId: c.accountId, name: c.name } });
    return tokenView(getCredential(db, c.id) ?? c);
  });

  app.post<{ Body: { username: string; role: Role; password?: string } & Partial<AccountScope> }>('/api/auth/accounts', {
    schema: { tags, summary: 'Create an account (a generated password is shown once)', body: s.newAccountBody, response: s.responses({ ...s.account, properties: { ...s.account.properties, password: { type: 'string' } } }, 201) },
    config: { auth: { action: 'account:write', audit: false } },
  }, async (req, reply) => {
    const p = authorize(req, 'account:write');
    const { account, generatedPassword } = await createAccount(db, { username: req.body.username, role: req.body.role, scope: scopeOf(req.body), nowMs: now(), cost: deps.cost, ...(req.body.password === undefined ? {} : { password: req.body.password }) });
    audit(req, { event: 'account.create', actor: actor(p), target: { accountId: account.id, username: account.username, role: account.role, scope: account.scope } }, 201);
    return reply.code(201).send({ ...accountView(account), ...(generatedPassword === null ? {} : { password: generatedPassword }) });
  });

  app.get('/api/auth/accounts', {
    schema: { tags, summary: 'Accounts', response: s.responses({ type: 'object', properties: { accounts: { type: 'array', items: s.account } } }) },
    config: { auth: { action: 'account:read' } },
  }, () => ({ accounts: listAccounts(db).map(accountView) }));

  app.patch<{ Params: { id: string }; Body: { role?: Role; password?: string; disabled?: boolean } & Partial<AccountScope> }>('/api/auth/accounts/:id', {
    schema: { tags, summary: 'Change an account: role, scope, password, disabled', params: s.idParams, body: s.changeAccountBody, response: s.responses(s.account) },
    config: { auth: { action: 'account:write', audit: false } },
  }, async (req) => {
    const p = authorize(req, 'account:write');
    const { role, password, disabled } = req.body;
    const scope = scopeOf(req.body);
    const a = await updateAccount(db, req.params.id, { ...(role ? { role } : {}), ...(password ? { password } : {}), ...(disabled === undefined ? {} : { disabled }), ...(Object.keys(scope).length ? { scope } : {}) }, now(), deps.cost);
    audit(req, { event: 'account.update', actor: actor(p), target: { accountId: a.id, username: a.username, role: a.role, scope: a.scope, disabled: a.disabled, passwordChanged: password !== undefined } });
    return accountView(a);
  });

  app.get<{ Querystring: { from?: string; to?: string; afterId?: number; limit: number } }>('/api/audit', {
    schema: { tags: ['audit'], summary: 'The audit log, oldest first, paged', querystring: s.auditQuery, response: s.responses(s.auditReply) },
    config: { auth: { action: 'audit:read' } },
  }, (req) => {
    const { from, to, afterId, limit } = req.query;
    return queryAudit(db, { limit, ...(from ? { fromMs: Date.parse(from) } : {}), ...(to ? { toMs: Date.parse(to) } : {}), ...(afterId === undefined ? {} : { afterId }) });
  });
}
