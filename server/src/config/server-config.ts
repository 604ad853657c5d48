/**
 * The server's one configuration schema, validated at start: defaults < environment < command
 * line (main.ts reads process.env and the options and passes them in as one object). Errors name
 * the field and stop the program with CONFIG_INVALID; nothing starts half-configured.
 *
 * Environment (read only by main.ts): RESCARD_DATA_DIR, RESCARD_LOG_LEVEL, RESCARD_HOST,
 * RESCARD_HTTP_PORT, RESCARD_MQTT_PORT, RESCARD_LATE_AFTER_MS.
 */
import { join, resolve } from 'node:path';
import { RescardError } from '@rescard/shared';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);

const schema = z
  .object({
    dataDir: z.string().min(1).default('./var/server'),
    host: z.string().min(1).default('127.0.0.1'),
    httpPort: port.default(8080),
    mqttPort: port.default(1884),
    /** A tap that reaches the server more than this after its wallMs is marked late (15 min). */
    lateAfterMs: z.coerce.number().int().min(0).default(15 * 60_000),
    ingest: z
      .object({
        /** Flush a group at this many taps (bound of the pending work). */
        maxGroupTaps: z.number().int().min(1).max(100_000).default(4000),
        /** Flush a group this long after its first message; 0 = next turn of the event loop. */
        maxDelayMs: z.number().int().min(0).max(1000).default(0),
      })
      .strict()
      .default({ maxGroupTaps: 4000, maxDelayMs: 0 }),
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
  readonly lateAfterMs: number;
  readonly ingest: { readonly maxGroupTaps: number; readonly maxDelayMs: number };
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
  return { ...c, dataDir, dbPath: join(dataDir, 'server.db') };
}
