/**
 * The server's one configuration schema, validated at start: defaults < environment < command
 * line (main.ts reads process.env and the options and passes them in as one object). Errors name
 * the field and stop the program with CONFIG_INVALID; nothing starts half-configured.
 *
 * Environment (read only by main.ts): RESCARD_DATA_DIR, RESCARD_LOG_LEVEL, RESCARD_HOST,
 * RESCARD_HTTP_PORT, RESCARD_MQTT_PORT, RESCARD_LATE_AFTER_MS, RESCARD_MAX_QUEUED_TAPS (ingest.maxQueuedTaps).
 *
 * Device security (ADR 0007): `mqttTls` turns on the MQTT-over-TLS listener (`mqttTlsPort`,
 * 8883) with client certificates from the project CA in dataDir/ca; `mqttPlain: false` turns the
 * plain listener off (do so whenever the host is not loopback). `mqttPublicHost` is the name
 * devices reach the broker by (in the enrolment answer and the broker certificate), `tlsNames`
 * more names for the broker certificate. Device certificates live `deviceCertDays`; enrolment
 * tokens `enrolmentTokenTtlHours`.
 */
import { join, resolve } from 'node:path';
import { RescardError } from '@rescard/shared';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
/** true/false, also as the strings the environment gives ('true', 'false', '1', '0'). */
const flag = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
const hostName = z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'a DNS name or an IP address');

const schema = z
  .object({
    dataDir: z.string().min(1).default('./var/server'),
    host: z.string().min(1).default('127.0.0.1'),
    httpPort: port.default(8080),
    mqttPort: port.default(1884),
    mqttTls: flag.default(false),
    mqttTlsPort: port.default(8883),
    mqttPlain: flag.default(true),
    mqttPublicHost: hostName.optional(),
    /** Append every MQTT message to this file (diagnostics, not for production load). */
    mqttCapture: z.string().min(1).optional(),
    tlsNames: z.array(hostName).max(32).default([]),
    deviceCertDays: z.coerce.number().int().min(1).max(397).default(30),
    enrolmentTokenTtlHours: z.coerce.number().int().min(1).max(24 * 30).default(72),
    /** A tap that reaches the server more than this after its wallMs is marked late (15 min). */
    lateAfterMs: z.coerce.number().int().min(0).default(15 * 60_000),
    ingest: z
      .object({
        /** Flush a group at this many taps (bound of the pending work). */
        maxGroupTaps: z.coerce.number().int().min(1).max(100_000).default(4000),
        /** Flush a group this long after its first message; 0 = next turn of the event loop. */
        maxDelayMs: z.coerce.number().int().min(0).max(1000).default(0),
        /**
         * Taps received and not yet committed before the broker stops reading from the clients
         * that send more (back-pressure; resumes at half). Nothing is dropped.
         */
        maxQueuedTaps: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
      })
      .strict()
      .default({ maxGroupTaps: 4000, maxDelayMs: 0, maxQueuedTaps: 20_000 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type ServerConfigInput = z.input<typeof schema>;

export interface ServerConfig {
  readonly dataDir: string;
  readonly dbPath: string;
  readonly host: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** MQTT over TLS with client certificates (the project CA in dataDir/ca). */
  readonly mqttTls: boolean;
  readonly mqttTlsPort: number;
  readonly mqttPlain: boolean;
  /** The host devices connect to (enrolment answer, broker certificate); defaults to `host`. */
  readonly mqttPublicHost: string;
  readonly mqttCapture?: string;
  readonly tlsNames: readonly string[];
  readonly deviceCertDays: number;
  readonly enrolmentTokenTtlHours: number;
  readonly lateAfterMs: number;
  readonly ingest: { readonly maxGroupTaps: number; readonly maxDelayMs: number; readonly maxQueuedTaps: number };
  readonly logLevel: z.infer<typeof schema>['logLevel'];
}

/** Merge layers (later wins; undefined fields are skipped) and validate. */
export function loadServerConfig(...layers: Record<string, unknown>[]): ServerConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) merged[k] = v;
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new RescardError('CONFIG_INVALID', `server config: ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  const c = parsed.data;
  const dataDir = resolve(c.dataDir);
  if (!c.mqttPlain && !c.mqttTls) throw new RescardError('CONFIG_INVALID', 'server config: mqttPlain: the broker needs a listener: keep plain MQTT or turn on mqttTls', { field: 'mqttPlain' });
  const { mqttPublicHost, mqttCapture, ...rest } = c;
  return { ...rest, ...(mqttCapture === undefined ? {} : { mqttCapture: resolve(mqttCapture) }), dataDir, dbPath: join(dataDir, 'server.db'), mqttPublicHost: mqttPublicHost ?? (c.host === '0.0.0.0' || c.host === '::' ? 'localhost' : c.host) };
}
