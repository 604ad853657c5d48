/**
 * The terminal's one configuration schema, validated at start (defaults < file < environment).
 * Errors name the field and stop the program with CONFIG_INVALID; nothing starts half-configured.
 *
 * Environment overrides (read only by main.ts and passed in here):
 *   RESCARD_DATA_DIR, RESCARD_LOG_LEVEL, RESCARD_READER.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { MAX_TAPS_PER_BATCH, RescardError } from '@rescard/shared';
import { z } from 'zod';
import type { DeviceContext, Direction, Profile } from '../core/model.js';
import type { ProfileRules } from '../core/rules.js';
import { validateRoute, type Route } from '../core/stops/stops.js';
import { validateRules } from '../core/validate-rules.js';
import type { DeviceTls } from '../sync/start-uplink.js';
import type { UplinkConfig } from '../sync/start-uplink.js';

const direction = z.enum(['IN', 'OUT']);

const schema = z
  .object({
    deviceId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'deviceId: 1-64 of A-Z a-z 0-9 . _ -'),
    profile: z.enum(['bus', 'gate', 'canteen']),
    dataDir: z.string().min(1).default('./var'),
    utcOffsetMinutes: z.number().int().min(-720).max(840).default(180),
    context: z
      .object({
        routeId: z.string().min(1).optional(),
        carrierId: z.string().min(1).optional(),
        vehicleId: z.string().min(1).optional(),
        schoolId: z.string().min(1).optional(),
        direction: direction.optional(),
      })
      .strict()
      .default({}),
    readers: z
      .array(
        z
          .object({
            /** Exact PC/SC reader name or a substring of it; absent = any reader. */
            name: z.string().min(1).optional(),
            /** gate: the direction this reader serves (one turnstile: one reader per side). */
            direction: direction.optional(),
          })
          .strict(),
      )
      .min(1)
      .default([{}]),
    readTimeoutMs: z.number().int().min(100).max(10_000).default(2000),
    tokenKeys: z.unknown().optional(),
    rules: z.unknown(),
    journal: z.object({ capacityTaps: z.number().int().min(10).max(50_000_000).default(1_000_000) }).strict().default({ capacityTaps: 1_000_000 }),
    clock: z.object({ backwardToleranceMs: z.number().int().min(0).max(3_600_000).default(5000) }).strict().default({ backwardToleranceMs: 5000 }),
    lists: z
      .object({
        /** Dev-mode list files (unsigned, may carry PANs to tokenise): development only. */
        allowDev: z.boolean().default(false),
        /** Ed25519 public keys that sign lists, by kid (PEM). */
        verifyKeys: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .default({ allowDev: false, verifyKeys: {} }),
    /** bus: the GPS receiver (NMEA 0183 over serial) and the route's stops for geofencing. */
    gps: z
      .object({
        port: z.string().min(1),
        baudRate: z.number().int().min(1200).max(921_600).default(4800),
        maxAgeMs: z.number().int().min(100).max(60_000).default(3000),
        stops: z
          .array(z.object({ id: z.string().min(1).max(64), name: z.string().max(128).optional(), lat: z.number(), lon: z.number(), radiusM: z.number().positive() }).strict())
          .default([]),
      })
      .strict()
      .optional(),
    /** Sync with the next durable hop (gateway or server) over MQTT; absent: an offline-only device. */
    uplink: z
      .object({
        url: z.string().regex(/^mqtts?:\/\/[^\s/]+\/?$/, 'uplink.url: mqtt://host:port'),
        clientId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
        batchSize: z.number().int().min(1).max(MAX_TAPS_PER_BATCH).default(250),
        maxInFlightBatches: z.number().int().min(1).max(16).default(4),
        ackTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
        heartbeatMs: z.number().int().min(1000).max(3_600_000).default(30_000),
        reconnectMinMs: z.number().int().min(10).max(60_000).default(500),
        reconnectMaxMs: z.number().int().min(10).max(600_000).default(30_000),
        /** Where list files are fetched (http://server:port or a gateway's cache); absent: no list sync. */
        listsBaseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'uplink.listsBaseUrl: http(s)://host:port').optional(),
        /** mqtts://: the device's TLS identity from `rescard-terminal enroll` (paths relative to this file). */
        tls: z
          .object({
            caFile: z.string().min(1),
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
            /** The server's HTTP base for certificate renewal (enroll writes it); absent: no automatic renewal. */
            renewServer: z.string().regex(/^https?:\/\/[^\s]+$/, 'uplink.tls.renewServer: http(s)://host:port').optional(),
            /** Renew once this fraction of the certificate's lifetime has passed. */
            renewAtFraction: z.number().min(0).max(0.95).default(2 / 3),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** OSDP peripheral (SIA OSDP 2.2) on RS-485: indicator, buzzer, text; at a gate the turnstile. */
    osdp: z
      .object({
        port: z.string().min(1),
        baudRate: z.number().int().min(9600).max(230_400).default(9600),
        address: z.number().int().min(0).max(126).default(1),
        /** The PD's Secure Channel base key (16 bytes hex). Required unless installMode. */
        scbkHex: z.string().regex(/^[0-9a-fA-F]{32}$/, 'scbkHex: 32 hex digits (AES-128)').optional(),
        /** Bench only: connect with the default key SCBK-D (a PD fresh from the factory). */
        installMode: z.boolean().default(false),
        /** gate: how long a release holds the turnstile open, waiting for the passage sensor. */
        releaseMs: z.number().int().min(500).max(60_000).default(5000),
      })
      .strict()
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export interface TerminalConfig {
  readonly deviceId: string;
  readonly profile: Profile;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly context: DeviceContext;
  readonly readers: readonly { readonly name?: string; readonly direction?: Direction }[];
  readonly readTimeoutMs: number;
  readonly tokenKeys: unknown;
  readonly rules: ProfileRules;
  readonly journalCapacityTaps: number;
  readonly clockBackwardToleranceMs: number;
  readonly lists: { readonly allowDev: boolean; readonly verifyKeys: Readonly<Record<string, string>> };
  readonly logLevel: string;
  readonly gps?: { readonly port: string; readonly baudRate: number; readonly maxAgeMs: number; readonly route: Route };
  readonly osdp?: {
    readonly port: string;
    readonly baudRate: number;
    readonly address: number;
    readonly scbk?: Buffer;
    readonly installMode: boolean;
    readonly releaseMs: number;
  };
  readonly uplink?: UplinkConfig & { readonly tls?: DeviceTls };
}

export interface ConfigEnv {
  readonly RESCARD_DATA_DIR?: string | undefined;
  readonly RESCARD_LOG_LEVEL?: string | undefined;
  readonly RESCARD_READER?: string | undefined;
}

export function parseTerminalConfig(raw: unknown, env: ConfigEnv = {}, baseDir = process.cwd()): TerminalConfig {
  const withEnv = applyEnv(raw, env);
  const parsed = schema.safeParse(withEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new RescardError('CONFIG_INVALID', `config ${path}: ${issue?.message ?? 'invalid'}`, { path });
  }
  const c = parsed.data;
  const rules = validateRules(c.rules, 'rules');
  if (rules.profile !== c.profile) {
    throw new RescardError('CONFIG_INVALID', `config rules.profile "${rules.profile}" does not match profile "${c.profile}"`, { path: 'rules.profile' });
  }
  if (c.profile === 'bus' && !c.context.routeId) throw missing('context.routeId', 'a bus needs its route');
  if (c.profile !== 'bus' && !c.context.schoolId) throw missing('context.schoolId', 'a gate or canteen needs its school');
  if (c.profile === 'gate' && c.readers.some((r) => !r.direction) && !c.context.direction) {
    throw missing('readers[].direction', 'a gate reader needs a direction (IN or OUT)');
  }
  if (c.gps && c.profile !== 'bus') throw missing('gps', 'only a bus has a GPS');
  if (c.uplink && c.uplink.reconnectMinMs > c.uplink.reconnectMaxMs) throw missing('uplink.reconnectMinMs', 'must not exceed reconnectMaxMs');
  if (c.uplink?.url.startsWith('mqtts://') && !c.uplink.tls) throw missing('uplink.tls', 'mqtts:// needs the device certificate files (caFile, certFile, keyFile): run rescard-terminal enroll');
  const route: Route | null = c.gps ? { id: c.context.routeId ?? 'route', stops: c.gps.stops.map(stripUndefined) } : null;
  const routeErrors = route ? validateRoute(route) : [];
  if (routeErrors.length > 0) throw missing('gps.stops', routeErrors.join('; '));
  if (c.osdp && !c.osdp.installMode && !c.osdp.scbkHex) throw missing('osdp.scbkHex', 'the Secure Channel needs the PD key (installMode is for the bench only)');
  const dataDir = isAbsolute(c.dataDir) ? c.dataDir : resolve(baseDir, c.dataDir);
  return {
    deviceId: c.deviceId,
    profile: c.profile,
    dataDir,
    dbPath: resolve(dataDir, `${c.deviceId}.db`),
    context: { deviceId: c.deviceId, profile: c.profile, utcOffsetMinutes: c.utcOffsetMinutes, ...stripUndefined(c.context) },
    readers: c.readers.map(stripUndefined),
    readTimeoutMs: c.readTimeoutMs,
    tokenKeys: c.tokenKeys,
    rules,
    journalCapacityTaps: c.journal.capacityTaps,
    clockBackwardToleranceMs: c.clock.backwardToleranceMs,
    lists: c.lists,
    logLevel: c.logLevel,
    ...(c.osdp
      ? {
          osdp: {
            port: c.osdp.port,
            baudRate: c.osdp.baudRate,
            address: c.osdp.address,
            installMode: c.osdp.installMode,
            releaseMs: c.osdp.releaseMs,
            ...(c.osdp.scbkHex ? { scbk: Buffer.from(c.osdp.scbkHex, 'hex') } : {}),
          },
        }
      : {}),
    ...(c.gps && route ? { gps: { port: c.gps.port, baudRate: c.gps.baudRate, maxAgeMs: c.gps.maxAgeMs, route } } : {}),
    ...(c.uplink ? { uplink: uplinkOf(c.uplink, c.deviceId, baseDir) } : {}),
  };
}

export function loadTerminalConfig(path: string, env: ConfigEnv = {}): TerminalConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read config ${path}: ${(err as Error).message}`, { path });
  }
  return parseTerminalConfig(raw, env, dirname(resolve(path)));
}

function applyEnv(raw: unknown, env: ConfigEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.RESCARD_DATA_DIR) out['dataDir'] = env.RESCARD_DATA_DIR;
  if (env.RESCARD_LOG_LEVEL) out['logLevel'] = env.RESCARD_LOG_LEVEL;
  if (env.RESCARD_READER) out['readers'] = [{ name: env.RESCARD_READER }];
  return out;
}

type UplinkInput = NonNullable<z.infer<typeof schema>['uplink']>;

function uplinkOf(u: UplinkInput, deviceId: string, baseDir: string): NonNullable<TerminalConfig['uplink']> {
  const { tls, ...rest } = u;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...stripUndefined({ ...rest, clientId: rest.clientId ?? deviceId }),
    ...(tls
      ? { tls: { caFile: at(tls.caFile), certFile: at(tls.certFile), keyFile: at(tls.keyFile), renewAtFraction: tls.renewAtFraction, ...(tls.renewServer ? { renewServer: tls.renewServer } : {}) } }
      : {}),
  };
}

function missing(path: string, why: string): RescardError {
  return new RescardError('CONFIG_INVALID', `config ${path}: ${why}`, { path });
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
