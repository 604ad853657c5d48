import { RescardError } from '@rescard/shared';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { httpStatus, installErrorHandlers } from './errors.js';

describe('HTTP errors from the one catalogue', () => {
  it('take their own status when they name one, 503 for a store failure, 400 for other bad input', () => {
    expect(httpStatus('FORBIDDEN', { status: 403 })).toBe(403);
    expect(httpStatus('REQUEST_INVALID', { status: 413 })).toBe(413);
    expect(httpStatus('SERVER_STORE_FAILURE', {})).toBe(503);
    expect(httpStatus('PAN_INVALID', {})).toBe(400);
    expect(httpStatus('REQUEST_INVALID', { status: 200 })).toBe(400); // not an error status: ignored
    expect(httpStatus('REQUEST_INVALID', { status: '404' })).toBe(400);
  });

  it('a 429 says when to come back; the body is always {error: {code, message}}', async () => {
    const app = Fastify();
    installErrorHandlers(app);
    app.get('/limited', () => {
      throw new RescardError('RATE_LIMITED', 'too many attempts', { status: 429, retryAfterS: 41.2 });
    });
    const res = await app.inject({ method: 'GET', url: '/limited' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('42');
    expect(res.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'too many attempts' } });
    await app.close();
  });
});
