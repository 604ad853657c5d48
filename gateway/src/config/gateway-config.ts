/**
 * The gateway's one configuration schema, validated at start: defaults < file (JSON, given by
 * `--config FILE`) < environment (read only by main.ts, passed in as an object). A relative
 * dataDir is resolved against the config file's folder. Errors name the field: CONFIG_INVALID.
 *
 * Environment: RESCARD_GATEWAY_DATA_DIR, RESCARD_GATEWAY_LOG_LEVEL, RESCARD_GATEWAY_UPSTREAM_MQTT_URL,
 * RESCARD_GATEWAY_UPSTREAM_HTTP_URL.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAX_PAYLOAD_BYTES, RescardError } from '@rescard/shared';
import { z } from 'zod';

const port = z.number().int().min(0).max(65_535);
const ms = (min: number, dflt: number) => z.number().int().min(min).default(dflt);

const schema = z
  .object({
    gatewayId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 . _ -'),
    dataDir: z.string().min(1).default('./var/gateway'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Where terminals connect. Plain MQTT: bind it to the LAN interface of the bus or school. */
    local: z.object({ host: z.string().min(1).default('127.0.0.1'), mqttPort: port.default(1883), httpPort: port.default(8081) }).strict().prefault({}),
    upstream: z
      .object({
        mqttUrl: z.string().regex(/^mqtts?:\/\//, 'expected mqtt://host:port'),
        /** The server's HTTP base (list files: <httpUrl>lists/<audience>/<list>/<file>). */
        httpUrl: z.url(),
        reconnectMinMs: ms(10, 500),
        reconnectMaxMs: ms(100, 30_000),
        /** mqtts://: the gateway's TLS identity from `rescard-gateway enroll` (paths relative to the config file). */
        tls: z
          .object({
            caFile: z.string().min(1),
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
            /** Renew the certificate (at httpUrl) once this fraction of its lifetime has passed. */
            renewAtFraction: z.number().min(0).max(0.95).default(2 / 3),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((u) => !u.mqttUrl.startsWith('mqtts://') || u.tls !== undefined, { message: 'mqtts:// needs the gateway certificate files (tls: caFile, certFile, keyFile): run rescard-gateway enroll', path: ['tls'] }),
    forward: z
      .object({
        /** Taps per upstream message and messages awaiting the server's ack. */
        maxTapsPerMessage: z.number().int().min(1).max(64 * 500).default(1000),
        maxBytesPerMessage: z.number().int().min(4096).max(MAX_PAYLOAD_BYTES).default(900_000),
        maxInFlight: z.number().int().min(1).max(64).default(4),
        ackTimeoutMs: ms(100, 10_000),
        tickMs: ms(10, 500),
      })
      .strict()
      .prefault({}),
    /** Taps held in custody at most; beyond it terminals are not acked (they keep their taps). */
    outbox: z.object({ capacityTaps: z.number().int().min(500).default(1_000_000) }).strict().prefault({}),
    lists: z
      .object({
        /** Audiences served (region, school:<id>): their list and freshness topics are relayed. */
        audiences: z.array(z.string().regex(/^(region|school:[A-Za-z0-9._-]{1,64})$/)).min(1).default(['region']),
        fetchTimeoutMs: ms(100, 120_000),
        maxFileBytes: z.number().int().min(1).default(2 * 1024 ** 3),
        retryMs: ms(10, 30_000),
        refreshMs: ms(1000, 3_600_000),
      })
      .strict()
      .prefault({}),
    heartbeatMs: ms(100, 30_000),
  })
  .strict();

export type GatewayConfig = z.infer<typeof schema>;

export interface GatewayEnv {
  readonly dataDir?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly upstreamMqttUrl?: string | undefined;
  readonly upstreamHttpUrl?: string | undefined;
}

/** Validate an already-parsed object (dataDir resolved against `baseDir`). */
export function parseGatewayConfig(input: unknown, env: GatewayEnv = {}, baseDir = process.cwd()): GatewayConfig {
  const raw = (typeof input === 'object' && input !== null ? { ...input } : {}) as Record<string, unknown>;
  if (env.dataDir !== undefined) raw['dataDir'] = env.dataDir;
  if (env.logLevel !== undefined) raw['logLevel'] = env.logLevel;
  if (env.upstreamMqttUrl !== undefined || env.upstreamHttpUrl !== undefined) {
    const up = { ...(raw['upstream'] as Record<string, unknown> | undefined) };
    if (env.upstreamMqttUrl !== undefined) up['mqttUrl'] = env.upstreamMqttUrl;
    if (env.upstreamHttpUrl !== undefined) up['httpUrl'] = env.upstreamHttpUrl;
    raw['upstream'] = up;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new RescardError('CONFIG_INVALID', `gateway config: ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  const c = parsed.data;
  const tls = c.upstream.tls;
  const at = (p: string): string => resolve(baseDir, p);
  return {
    ...c,
    dataDir: at(c.dataDir),
    upstream: { ...c.upstream, ...(tls ? { tls: { ...tls, caFile: at(tls.caFile), certFile: at(tls.certFile), keyFile: at(tls.keyFile) } } : {}) },
  };
}

export function loadGatewayConfig(path: string, env: GatewayEnv = {}): GatewayConfig {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `gateway config ${path}: ${err instanceof Error ? err.message : String(err)}`, { path });
  }
  return parseGatewayConfig(input, env, dirname(resolve(path)));
}
