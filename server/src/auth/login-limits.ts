/**
 * Login rate limits with @fastify/rate-limit's limiter (its LocalStore: an LRU of 5000 keys per
 * limit, so the memory is bounded; an evicted key starts again from zero, which the per-address
 * limit still covers):
 *
 *   per address   every login attempt counts (default 30 per minute): slows a spray over many names
 *   per username  only failed attempts count (default 5 per minute): slows guessing one password
 *
 * The username limit is read before the password is checked and counted after a failure, so a
 * locked name answers 429 without the scrypt work.
 */
import type {} from '@fastify/rate-limit'; // its FastifyInstance.createRateLimit
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

export interface LoginLimits {
  readonly perUsername: Limit;
  readonly perAddress: Limit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUsername: { max: 5, windowMs: 60_000 }, perAddress: { max: 30, windowMs: 60_000 } };

export interface LoginLimiter {
  /** Counts this attempt for its address; seconds to wait when over the limit, else null. */
  address(req: FastifyRequest): Promise<number | null>;
  /** Seconds to wait when the username has used up its failures, else null (counts nothing). */
  usernameBlocked(req: FastifyRequest): Promise<number | null>;
  /** Count a failed attempt for the username. */
  failed(req: FastifyRequest): Promise<void>;
}

const usernameKey = (req: FastifyRequest): string => {
  const body = req.body as { username?: unknown } | undefined;
  return `login-user:${typeof body?.username === 'string' ? body.username.toLowerCase() : ''}`;
};

/** Needs @fastify/rate-limit registered on `app`. */
export function loginLimiter(app: FastifyInstance, limits: LoginLimits): LoginLimiter {
  const byAddress = app.createRateLimit({ max: limits.perAddress.max, timeWindow: limits.perAddress.windowMs, keyGenerator: (req) => `login-ip:${req.ip}` });
  const byUsername = app.createRateLimit({ max: limits.perUsername.max, timeWindow: limits.perUsername.windowMs, keyGenerator: usernameKey });
  return {
    async address(req) {
      const r = await byAddress(req);
      return !r.isAllowed && r.isExceeded ? Math.max(1, r.ttlInSeconds) : null;
    },
    async usernameBlocked(req) {
      const r = await byUsername(req, { increment: false });
      return !r.isAllowed && r.remaining === 0 ? Math.max(1, r.ttlInSeconds) : null;
    },
    async failed(req) {
      await byUsername(req);
    },
  };
}
