/**
 * The device endpoints (/enroll, /renew/challenge, /renew) take no operator auth, and each costs
 * the server a CSR check and an RSA signature: they share one per-address budget, and beyond it
 * answer 429 RATE_LIMITED with Retry-After, in the error catalogue's format. The real server
 * with the operator-auth plugin (which registers @fastify/rate-limit) and the PKI plugin.
 */
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config/server-config.js';
import { deviceKeys, pkiTempDir } from '../pki/pki-fixtures.js';
import { authPlugin } from './auth-plugin.js';
import { openServer } from './open-server.js';
import { pkiPlugin } from './pki-plugin.js';
import type { RunningServer } from './server.js';

let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = pkiTempDir();
  const config = loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent' });
  server = await openServer(config, pino({ level: 'silent' }), [
    authPlugin({ scryptCost: { ln: 10, r: 8, p: 1 } }),
    pkiPlugin({ ...config, deviceRateLimit: { max: 3, windowMs: 60_000 } }),
  ]);
}, 60_000);

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('device endpoints are rate-limited per address', () => {
  it('the fourth request in a minute, to any of them, is 429 RATE_LIMITED with Retry-After; nothing is issued', async () => {
    const challenge = () => server.http.inject({ method: 'POST', url: '/renew/challenge', payload: { deviceId: 'bus-0001' }, remoteAddress: '10.0.0.7' });
    for (let i = 0; i < 3; i++) expect((await challenge()).statusCode).toBe(200);
    const refused = await challenge();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/too many enrolment or renewal requests from this address: retry in \d+ s/) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // /enroll shares the budget: refused before the token or the CSR is looked at.
    const keys = deviceKeys('bus-0001');
    const enrol = await server.http.inject({ method: 'POST', url: '/enroll', payload: { token: `rset1_bus-0001_${'A'.repeat(43)}`, csrPem: keys.csrPem }, remoteAddress: '10.0.0.7' });
    expect(enrol.statusCode).toBe(429);
    // Another address has its own budget (an unknown token: 401, not 429).
    const other = await server.http.inject({ method: 'POST', url: '/enroll', payload: { token: `rset1_bus-0001_${'A'.repeat(43)}`, csrPem: keys.csrPem }, remoteAddress: '10.0.0.8' });
    expect(other.json()).toMatchObject({ error: { code: 'ENROLMENT_TOKEN_UNKNOWN' } });
  });
});
