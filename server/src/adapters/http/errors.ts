/**
 * Errors on the HTTP API: always `{error: {code, message}}` with a RescardError code.
 * Schema validation failures and unknown routes are REQUEST_INVALID (400 / 404); a RescardError
 * carries its status in `details.status` or gets one from its code (httpStatus); a 429 sends
 * Retry-After from `details.retryAfterS`; anything unexpected is 500 and logged.
 */
import { isRescardError, type ErrorCode } from '@rescard/shared';
import type { FastifyError, FastifyInstance } from 'fastify';

export const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
  required: ['error'],
} as const;

const body = (code: ErrorCode | 'INTERNAL', message: string): { error: { code: string; message: string } } => ({ error: { code, message } });

/**
 * The status of a RescardError: its own `details.status` when it names one (401, 403, 404, 413,
 * 429, 503 …), else 503 for a store failure (retry later), else 400: every other code names bad
 * input (a list, a token, a PAN), the caller's to fix.
 */
export function httpStatus(code: ErrorCode, details: Readonly<Record<string, unknown>>): number {
  const own = details['status'];
  if (typeof own === 'number' && Number.isInteger(own) && own >= 400 && own <= 599) return own;
  return code === 'SERVER_STORE_FAILURE' || code === 'STORE_FAILURE' ? 503 : 400;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => reply.code(404).send(body('REQUEST_INVALID', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`)));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) return reply.code(400).send(body('REQUEST_INVALID', err.message));
    if (isRescardError(err)) {
      const status = httpStatus(err.code, err.details);
      if (status === 429 && typeof err.details['retryAfterS'] === 'number') void reply.header('retry-after', String(Math.ceil(err.details['retryAfterS'])));
      if (status >= 500) req.log.error({ code: err.code, details: err.details }, err.message);
      return reply.code(status).send(body(err.code, err.message));
    }
    if (typeof err.statusCode === 'number' && err.statusCode < 500) return reply.code(err.statusCode).send(body('REQUEST_INVALID', err.message));
    req.log.error({ err }, 'unexpected error');
    return reply.code(500).send(body('INTERNAL', 'internal error'));
  });
}
