/**
 * Device PKI on the server (ADR 0007): the project CA and the device registry (pki/pki.db),
 * enrolment, renewal and revocation over HTTP, and the registry installed as the broker's device
 * gate (TLS connects are checked against it; a revocation closes the live session).
 *
 *   POST /api/enrolment-tokens        technician: { deviceId, kind, profile, schoolId | routeId, carrierId, vehicleId, ttlHours? } → 201 { token, expiresAt }
 *   POST /enroll                      device: { token, csrPem, kind? } → certificate, CA, mqttUrl, config, list key, card-token keys (terminals)
 *   POST /renew/challenge             device: { deviceId } → { nonce, expiresAt }
 *   POST /renew                       device: { deviceId, certificatePem, csrPem, nonce, signature } → new certificate
 *   POST /api/devices/:id/revoke      admin: { reason } → the device, revoked
 *   GET  /api/devices/registry        profile, site, certificate state and expiry, status (last seen, versions, queue, restricted)
 *
 * /enroll and /renew take no operator auth: the one-time token, or the current certificate's
 * key, is the authentication. The three device routes share a per-address budget (default 30
 * requests a minute; 429 RATE_LIMITED with Retry-After beyond it). The enrolment answer carries the card-token keys: it is never
 * logged (fastify logs request lines only, and nothing here logs a body).
 */
import type {} from '@fastify/rate-limit'; // its FastifyInstance.createRateLimit
import { join } from 'node:path';
import { isRescardError, RescardError, type ErrorCode } from '@rescard/shared';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from '../adapters/http/errors.js';
import { loadOrCreateTokenKeys, type TokenKeysMode } from '../keys/token-keys.js';
import { loadOrCreateListSigningKey } from '../lists/index.js';
import { loadOrCreateCa } from '../pki/ca.js';
import { TOKEN_PATTERN } from '../pki/enrolment-token.js';
import { PkiService } from '../pki/pki-service.js';
import { PkiStore, type DeviceKind, type DeviceProfile, type DeviceSite } from '../pki/pki-store.js';
import { registryView } from '../pki/registry-view.js';
import type { PluginHandle, ServerContext, ServerPlugin } from './server.js';

export type PkiAction = 'enrolment-token:create' | 'device:revoke' | 'device:read';

export interface PkiPluginOptions {
  /** The host devices reach the broker by (ServerConfig.mqttPublicHost); default localhost. */
  readonly mqttPublicHost?: string;
  readonly deviceCertDays?: number;
  readonly enrolmentTokenTtlHours?: number;
  /** Only used when the card-token keyring does not exist yet; default 'random'. */
  readonly tokenKeysMode?: TokenKeysMode;
  /** Throws to refuse (the operator-auth plugin wires roles in); default: allow. */
  readonly authorize?: (req: FastifyRequest, action: PkiAction) => void | Promise<void>;
  /** Who is asking, for created_by / revoked_by; default 'system'. */
  readonly actorOf?: (req: FastifyRequest) => string;
  readonly now?: () => number;
  /**
   * Requests per address to /enroll, /renew/challenge and /renew together (default 30 a minute):
   * each costs the server a CSR check and an RSA signature. Applies when @fastify/rate-limit is
   * registered (the operator-auth plugin does it); 429 RATE_LIMITED with Retry-After.
   */
  readonly deviceRateLimit?: { readonly max: number; readonly windowMs: number };
}

const HOUR_MS = 3_600_000;
const id = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;
const name = { type: 'string', minLength: 1, maxLength: 64 } as const;
const pem = (max: number): object => ({ type: 'string', minLength: 1, maxLength: max });

const STATUS: Partial<Record<ErrorCode, number>> = {
  ENROLMENT_TOKEN_UNKNOWN: 401,
  ENROLMENT_TOKEN_USED: 409,
  ENROLMENT_TOKEN_EXPIRED: 410,
  CSR_INVALID: 400,
  DEVICE_ACTIVE: 409,
  DEVICE_REVOKED: 403,
  CERTIFICATE_REFUSED: 401,
  PKI_STORE_FAILURE: 503,
  CA_UNAVAILABLE: 503,
};

interface TokenBody {
  deviceId: string;
  kind: DeviceKind;
  profile: DeviceProfile;
  schoolId?: string;
  routeId?: string;
  carrierId?: string;
  vehicleId?: string;
  ttlHours?: number;
}

function siteOf(b: TokenBody): DeviceSite {
  const site: { -readonly [K in keyof DeviceSite]: DeviceSite[K] } = {};
  if (b.schoolId !== undefined) site.schoolId = b.schoolId;
  if (b.routeId !== undefined) site.routeId = b.routeId;
  if (b.carrierId !== undefined) site.carrierId = b.carrierId;
  if (b.vehicleId !== undefined) site.vehicleId = b.vehicleId;
  return site;
}

export function pkiPlugin(options: PkiPluginOptions = {}): ServerPlugin {
  return async (ctx: ServerContext): Promise<PluginHandle> => {
    if (ctx.dataDir === null) throw new RescardError('CONFIG_INVALID', 'the device registry needs a data folder');
    const dataDir = ctx.dataDir;
    const log = ctx.log.child({ module: 'pki' });
    const now = options.now ?? Date.now;
    const { ca } = await loadOrCreateCa(dataDir);
    const tokenKeys = await loadOrCreateTokenKeys(dataDir, options.tokenKeysMode ?? 'random', log);
    const listKey = await loadOrCreateListSigningKey(dataDir, log);
    const store = PkiStore.open(join(dataDir, 'pki', 'pki.db'));
    const service = new PkiService({
      store, ca, now, log: ctx.log,
      certLifetimeDays: options.deviceCertDays ?? 30,
      tokenTtlMs: (options.enrolmentTokenTtlHours ?? 72) * HOUR_MS,
      onRevoked: (deviceId) => void ctx.broker.disconnect(deviceId),
    });
    ctx.broker.setDeviceGate(service);
    const authorize = options.authorize ?? ((): void => undefined);
    const actorOf = options.actorOf ?? ((): string => 'system');
    const guard = (action: PkiAction) => async (req: FastifyRequest): Promise<void> => {
      await Promise.resolve(authorize(req, action));
    };
    const mqttUrl = (): string => {
      const host = options.mqttPublicHost ?? 'localhost';
      // Without a TLS listener (development) the plain one is all there is.
      return ctx.broker.tlsPort !== null ? `mqtts://${host}:${ctx.broker.tlsPort}` : `mqtt://${host}:${ctx.broker.port}`;
    };

    // One budget per address for the three device routes (@fastify/rate-limit's limiter; its
    // per-route config would give each route its own store).
    const limit = options.deviceRateLimit ?? { max: 30, windowMs: 60_000 };
    const limiter = typeof ctx.http.createRateLimit === 'function'
      ? ctx.http.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator: (req) => `device-pki:${req.ip}` })
      : null;
    if (limiter === null) log.warn('no @fastify/rate-limit registered (the operator-auth plugin does it): /enroll and /renew are not rate-limited');
    const rateLimited = async (req: FastifyRequest): Promise<void> => {
      const r = await limiter?.(req);
      if (r === undefined || r.isAllowed || !r.isExceeded) return;
      const retryAfterS = Math.max(1, r.ttlInSeconds);
      log.warn({ ip: req.ip, url: req.url }, 'device endpoint rate-limited');
      throw new RescardError('RATE_LIMITED', `too many enrolment or renewal requests from this address: retry in ${retryAfterS} s`, { status: 429, retryAfterS });
    };
    await ctx.http.register((app: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => {
      app.setErrorHandler((err: FastifyError, _req, reply) => {
        const status = isRescardError(err) ? STATUS[err.code] : undefined;
        if (status === undefined || !isRescardError(err)) throw err; // the root handler answers the rest
        if (status >= 500) log.error({ code: err.code, details: err.details }, err.message);
        return reply.code(status).send({ error: { code: err.code, message: err.message } });
      });
      const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 410: errorBody, 503: errorBody };

      app.post<{ Body: TokenBody }>('/api/enrolment-tokens', {
        config: { auth: { action: 'pki:write' } },
        preHandler: guard('enrolment-token:create'),
        schema: {
          body: {
            type: 'object', additionalProperties: false, required: ['deviceId', 'kind', 'profile'],
            properties: {
              deviceId: id, kind: { type: 'string', enum: ['terminal', 'gateway'] }, profile: { type: 'string', enum: ['bus', 'gate', 'canteen', 'gateway'] },
              schoolId: name, routeId: name, carrierId: name, vehicleId: name, ttlHours: { type: 'integer', minimum: 1, maximum: 720 },
            },
          },
          response: { 201: { type: 'object', properties: { token: { type: 'string' }, deviceId: { type: 'string' }, expiresAt: { type: 'string' } } }, ...errors },
        },
      }, (req, reply) => {
        const b = req.body;
        const { token, expiresAtMs } = service.createToken({
          deviceId: b.deviceId, kind: b.kind, profile: b.profile, site: siteOf(b), createdBy: actorOf(req),
          ...(b.ttlHours === undefined ? {} : { ttlMs: b.ttlHours * HOUR_MS }),
        });
        return reply.code(201).send({ token, deviceId: b.deviceId, expiresAt: new Date(expiresAtMs).toISOString() });
      });

      app.post<{ Body: { token: string; csrPem: string; kind?: DeviceKind } }>('/enroll', {
        onRequest: rateLimited,
        bodyLimit: 64 * 1024,
        schema: {
          body: { type: 'object', additionalProperties: false, required: ['token', 'csrPem'], properties: { token: { type: 'string', maxLength: 200 }, csrPem: pem(16_384), kind: { type: 'string', enum: ['terminal', 'gateway'] } } },
          response: {
            200: {
              type: 'object',
              properties: {
                deviceId: { type: 'string' }, certificatePem: { type: 'string' }, caPem: { type: 'string' }, notAfter: { type: 'string' }, mqttUrl: { type: 'string' },
                config: { type: 'object', additionalProperties: true },
                listSigningKey: { type: 'object', properties: { kid: { type: 'string' }, publicKeyPem: { type: 'string' } } },
                tokenKeys: {
                  type: 'object',
                  properties: { primaryKid: { type: 'string' }, keys: { type: 'array', items: { type: 'object', properties: { kid: { type: 'string' }, keyHex: { type: 'string' } } } } },
                },
              },
            },
            ...errors,
          },
        },
      }, (req) => {
        if (!new RegExp(TOKEN_PATTERN).test(req.body.token)) throw new RescardError('ENROLMENT_TOKEN_UNKNOWN', 'this is not an enrolment token');
        const e = service.enroll(req.body.token, req.body.csrPem, req.body.kind);
        return {
          deviceId: e.device.deviceId, certificatePem: e.certificatePem, caPem: e.caPem, notAfter: new Date(e.notAfterMs).toISOString(), mqttUrl: mqttUrl(),
          config: { deviceId: e.device.deviceId, kind: e.device.kind, profile: e.device.profile, context: e.device.site },
          listSigningKey: { kid: listKey.kid, publicKeyPem: listKey.publicKeyPem },
          // The card-token keys go to terminals only: a gateway relays tokens and never sees a PAN.
          ...(e.device.kind === 'terminal' ? { tokenKeys: tokenKeys.config } : {}),
        };
      });

      app.post<{ Body: { deviceId: string } }>('/renew/challenge', {
        onRequest: rateLimited,
        schema: {
          body: { type: 'object', additionalProperties: false, required: ['deviceId'], properties: { deviceId: id } },
          response: { 200: { type: 'object', properties: { nonce: { type: 'string' }, expiresAt: { type: 'string' } } }, ...errors },
        },
      }, (req) => {
        const c = service.renewChallenge(req.body.deviceId);
        return { nonce: c.nonce, expiresAt: new Date(c.expiresAtMs).toISOString() };
      });

      app.post<{ Body: { deviceId: string; certificatePem: string; csrPem: string; nonce: string; signature: string } }>('/renew', {
        onRequest: rateLimited,
        bodyLimit: 64 * 1024,
        schema: {
          body: {
            type: 'object', additionalProperties: false, required: ['deviceId', 'certificatePem', 'csrPem', 'nonce', 'signature'],
            properties: { deviceId: id, certificatePem: pem(16_384), csrPem: pem(16_384), nonce: { type: 'string', maxLength: 64 }, signature: { type: 'string', maxLength: 2048 } },
          },
          response: { 200: { type: 'object', properties: { certificatePem: { type: 'string' }, caPem: { type: 'string' }, notAfter: { type: 'string' } } }, ...errors },
        },
      }, (req) => {
        const r = service.renew(req.body);
        return { certificatePem: r.certificatePem, caPem: r.caPem, notAfter: new Date(r.notAfterMs).toISOString() };
      });

      app.post<{ Params: { id: string }; Body: { reason: string } }>('/api/devices/:id/revoke', {
        config: { auth: { action: 'pki:write' } },
        preHandler: guard('device:revoke'),
        schema: {
          params: { type: 'object', required: ['id'], properties: { id } },
          body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
          response: { 200: { type: 'object', additionalProperties: true }, ...errors },
        },
      }, (req) => {
        const d = service.revoke(req.params.id, actorOf(req), req.body.reason);
        return { deviceId: d.deviceId, state: d.state, revokedAt: d.revokedAtMs === null ? null : new Date(d.revokedAtMs).toISOString(), revokedBy: d.revokedBy, reason: d.reason };
      });

      app.get('/api/devices/registry', {
        config: { auth: { action: 'device:read' } },
        preHandler: guard('device:read'),
        schema: { response: { 200: { type: 'object', properties: { devices: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors } },
      }, () => ({ devices: registryView(service.devices(), ctx.query.devices(), now()) }));
      done();
    });

    log.info({ devices: store.devices().length, tls: ctx.broker.tlsPort !== null }, 'device registry open');
    return {
      close: () => {
        ctx.broker.setDeviceGate(null);
        store.close();
      },
    };
  };
}
