#!/usr/bin/env node
/**
 * rescard-server: the composition root. The only file that reads process.env and builds real
 * adapters. Logs go to stderr (pino, JSON); `start` prints one JSON line on stdout with the bound
 * ports (`{"http":N,"mqtt":M}`), so port 0 (ephemeral) can be used by tests and the demo.
 * SIGTERM / SIGINT: stop gracefully (HTTP, broker, last group committed, database closed).
 */
import { Command, InvalidArgumentError } from 'commander';
import { exitOnFailure, stopOnSignals } from '@rescard/shared/hub';
import { pino, type Logger } from 'pino';
import { authPlugin } from './app/auth-plugin.js';
import { join } from 'node:path';
import { createListsPlugin } from './app/lists-plugin.js';
import { observabilityPlugin } from './app/observability-plugin.js';
import { pkiPlugin } from './app/pki-plugin.js';
import { registryPlugin } from './app/registry-plugin.js';
import { reportsPlugin } from './app/reports-plugin.js';
import { RegistryReportSources } from './registry/registry-report-sources.js';
import type { ReportScope } from './reports/report-query.js';
import type { FastifyRequest } from 'fastify';
import { openServer } from './app/open-server.js';
import { loadServerConfig } from './config/server-config.js';

const env = {
  dataDir: process.env['RESCARD_DATA_DIR'],
  logLevel: process.env['RESCARD_LOG_LEVEL'],
  host: process.env['RESCARD_HOST'],
  httpPort: process.env['RESCARD_HTTP_PORT'],
  mqttPort: process.env['RESCARD_MQTT_PORT'],
  lateAfterMs: process.env['RESCARD_LATE_AFTER_MS'],
  metricsToken: process.env['RESCARD_METRICS_TOKEN'],
  mqttTls: process.env['RESCARD_MQTT_TLS'],
  mqttTlsPort: process.env['RESCARD_MQTT_TLS_PORT'],
  mqttPlain: process.env['RESCARD_MQTT_PLAIN'],
  mqttPublicHost: process.env['RESCARD_MQTT_PUBLIC_HOST'],
  mqttCapture: process.env['RESCARD_MQTT_CAPTURE'],
  maxQueuedTaps: process.env['RESCARD_MAX_QUEUED_TAPS'],
};

/** Who made an API request, for created_by / revoked_by records (the auth plugin sets it). */
const actorOf = (req: FastifyRequest): string => req.principal?.username ?? 'system';

/** What a school or carrier account may see in reports; null: everything (other roles). */
function reportScopeOf(req: FastifyRequest): ReportScope | null {
  const p = req.principal;
  if (p === null || (p.role !== 'school' && p.role !== 'carrier')) return null;
  return p.role === 'school' ? { schools: p.scope.schools } : { carriers: p.scope.carriers, routes: p.scope.routes };
}

function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a port number 0-65535 (0: any free port)');
  return n;
}

/** Log, print `{"error":…}` and exit (2: CONFIG_INVALID, else 1); a foreign error is a store failure. */
function fail(err: unknown, log: Logger): never {
  return exitOnFailure('rescard-server', 'SERVER_STORE_FAILURE', err, log);
}

interface StartOptions {
  data?: string;
  httpPort?: number;
  mqttPort?: number;
  host?: string;
  logLevel?: string;
  mqttTls?: boolean;
  mqttTlsPort?: number;
  mqttPlain?: boolean;
  mqttPublicHost?: string;
  mqttCapture?: string;
  devTokenKey?: boolean;
  maxQueuedTaps?: string;
}

/** The ingest settings from the environment and the command line (a number as given: the schema checks it). */
function ingestLayer(maxQueuedTaps: string | undefined): Record<string, unknown> {
  return maxQueuedTaps === undefined ? {} : { ingest: { maxQueuedTaps } };
}

async function start(opts: StartOptions): Promise<void> {
  let log = pino({ level: env.logLevel ?? 'info' }, pino.destination({ fd: 2, sync: true }));
  try {
    const config = loadServerConfig({ ...env, maxQueuedTaps: undefined }, ingestLayer(env.maxQueuedTaps), ingestLayer(opts.maxQueuedTaps), {
      dataDir: opts.data, httpPort: opts.httpPort, mqttPort: opts.mqttPort, host: opts.host, logLevel: opts.logLevel,
      mqttTls: opts.mqttTls, mqttTlsPort: opts.mqttTlsPort, mqttPlain: opts.mqttPlain === false ? false : undefined, mqttPublicHost: opts.mqttPublicHost,
      mqttCapture: opts.mqttCapture,
    });
    log = pino({ level: config.logLevel }, pino.destination({ fd: 2, sync: false }));
    // Order matters: OpenAPI and metrics first (they see every route), then operator access
    // (its checks must be in place before any plugin adds routes), then the features.
    const tokenKeysMode = opts.devTokenKey === true ? 'development' : 'random';
    const lists = createListsPlugin();
    let sources: RegistryReportSources | null = null; // opened at the first report (registry.db exists by then)
    const registrySources = (): RegistryReportSources => (sources ??= new RegistryReportSources(join(config.dataDir, 'registry', 'registry.db')));
    const plugins = [
      observabilityPlugin(env.metricsToken ? { metricsToken: env.metricsToken } : {}),
      authPlugin(),
      lists.plugin,
      registryPlugin({ lists: () => lists.service(), tokenKeysMode, actorOf }),
      pkiPlugin({
        mqttPublicHost: config.mqttPublicHost,
        deviceCertDays: config.deviceCertDays,
        enrolmentTokenTtlHours: config.enrolmentTokenTtlHours,
        tokenKeysMode,
        actorOf,
      }),
      reportsPlugin({ roster: registrySources, mealCategories: registrySources, scopeOf: reportScopeOf }),
    ];
    const server = await openServer(config, log, plugins);
    process.stdout.write(`${JSON.stringify({ http: server.ports.http, mqtt: server.ports.mqtt, mqtts: server.ports.mqtts })}\n`);
    stopOnSignals({ log, stop: () => server.stop(), onFailure: (err) => fail(err, log) });
  } catch (err) {
    fail(err, log);
  }
}

const program = new Command('rescard-server').description('rescard central server: MQTT ingest, status, HTTP API').showHelpAfterError();

program
  .command('start')
  .description('run the server from one data folder (server.db there)')
  .option('--data <dir>', 'data folder (default ./var/server, env RESCARD_DATA_DIR)')
  .option('--http-port <n>', 'HTTP port, 0 = any free port (default 8080)', portOption)
  .option('--mqtt-port <n>', 'MQTT port, 0 = any free port (default 1884)', portOption)
  .option('--host <addr>', 'address to listen on (default 127.0.0.1; plain MQTT: keep it on loopback)')
  .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent')
  .option('--mqtt-tls', 'MQTT over TLS with device certificates (env RESCARD_MQTT_TLS=true); the project CA is made in the data folder on first use')
  .option('--mqtt-tls-port <n>', 'MQTT-over-TLS port, 0 = any free port (default 8883)', portOption)
  .option('--no-mqtt-plain', 'no plain MQTT listener (env RESCARD_MQTT_PLAIN=false): do so whenever --host is not loopback')
  .option('--mqtt-public-host <name>', 'the name devices reach the broker by (enrolment answer, broker certificate)')
  .option('--mqtt-capture <file>', 'append every MQTT message to FILE as NDJSON (diagnostics, not for production load; env RESCARD_MQTT_CAPTURE)')
  .option('--max-queued-taps <n>', 'taps received and not yet committed before the broker holds back the senders (default 20000, env RESCARD_MAX_QUEUED_TAPS; nothing is dropped)')
  .option('--dev-token-key', 'at the first start only: use the public DEVELOPMENT card-token key instead of a random one (demo, tests)')
  .action(start);

await program.parseAsync(process.argv);
