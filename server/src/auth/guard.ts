/**
 * The HTTP side of the policy, for every plugin's routes:
 *
 *   - `request.principal`: set by the auth plugin's onRequest hook for /api/ requests (null
 *     elsewhere, or when the plugin is not installed: everything below then refuses, fail closed);
 *   - route config `{ auth: { action, resource?, public?, audit? } }`: the auth plugin checks the
 *     action (and the resource's scope) in a preHandler for every /api/ route;
 *   - `requireAuth(action, resource?)`: the same check as a preHandler of one's own;
 *   - `authorize(req, action, resource?)`: the same check inside a handler; throws the coded
 *     RescardError (details.status 401 / 403) and returns the principal (for `actor` fields).
 */
import { RescardError, type ErrorCode } from '@rescard/shared';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { can, type Action, type Resource } from './policy.js';
import type { Principal } from './principal.js';

export interface RouteAuth {
  /** No authentication at all (only POST /api/auth/login under /api/). */
  readonly public?: boolean;
  /** What the route does; absent: `unclassified` (admin only). */
  readonly action?: Action;
  /** What it does it to, for the scope of school and carrier accounts (usually from params). */
  readonly resource?: (req: FastifyRequest) => Resource | undefined;
  /** false: the handler writes its own audit event instead of the generic one. */
  readonly audit?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export type AuthErrorCode = Extract<ErrorCode, 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'FORBIDDEN' | 'RATE_LIMITED'>;
const STATUS: Record<AuthErrorCode, number> = { AUTH_REQUIRED: 401, AUTH_INVALID: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

export function authError(code: AuthErrorCode, message: string, details: Record<string, unknown> = {}): RescardError {
  return new RescardError(code, message, { ...details, status: STATUS[code] });
}

/** Answer an auth error directly (hooks), with its status and, for 401 / 429, the usual headers. */
export function sendAuthError(reply: FastifyReply, err: RescardError): FastifyReply {
  const status = typeof err.details['status'] === 'number' ? err.details['status'] : 400;
  if (status === 401) reply.header('www-authenticate', `Bearer realm="rescard"${err.code === 'AUTH_INVALID' ? ', error="invalid_token"' : ''}`);
  const retry = err.details['retryAfterS'];
  if (status === 429 && typeof retry === 'number') reply.header('retry-after', String(retry));
  return reply.code(status).send({ error: { code: err.code, message: err.message } });
}

/** The check; throws AUTH_REQUIRED (no principal) or FORBIDDEN, returns the principal. */
export function authorize(req: FastifyRequest, action: Action, resource?: Resource): Principal {
  const principal = (req.principal as Principal | null | undefined) ?? null;
  if (principal === null) throw authError('AUTH_REQUIRED', 'this request needs an operator login or API token');
  const verdict = can(principal, action, resource);
  if (!verdict.allowed) throw authError('FORBIDDEN', verdict.reason, { action, role: principal.role });
  return principal;
}

/** A preHandler that answers 401 / 403 itself (no error handler involved). */
export function requireAuth(action: Action, resource?: (req: FastifyRequest) => Resource | undefined): preHandlerAsyncHookHandler {
  return async (req, reply) => {
    try {
      authorize(req, action, resource?.(req));
    } catch (err) {
      if (err instanceof RescardError) return sendAuthError(reply, err);
      throw err;
    }
  };
}

/** The actor name other stores record (`actor` columns): the username, or 'anonymous'. */
export function actorOf(req: FastifyRequest): string {
  return (req.principal as Principal | null | undefined)?.username ?? 'anonymous';
}
