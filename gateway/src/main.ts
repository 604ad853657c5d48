#!/usr/bin/env node
/**
 * rescard-gateway: the composition root. The only file that reads process.env and builds real
 * adapters. Logs go to stderr (pino, JSON); `start` prints one JSON line on stdout with the bound
 * ports (`{"mqtt":N,"http":M}`), so port 0 (ephemeral) can be used by tests and the demo.
 * SIGTERM / SIGINT: stop gracefully (retained offline status upstream, database closed).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { renewCertificate, RescardError } from '@rescard/shared';
import { exitOnFailure, stopOnSignals } from '@rescard/shared/hub';
import { pino, type Logger } from 'pino';
import { createGateway } from './app/gateway.js';
import { runGatewayEnroll } from './cli/enroll-command.js';
import { loadGatewayConfig } from './config/gateway-config.js';

const env = {
  dataDir: process.env['RESCARD_GATEWAY_DATA_DIR'],
  logLevel: process.env['RESCARD_GATEWAY_LOG_LEVEL'],
  upstreamMqttUrl: process.env['RESCARD_GATEWAY_UPSTREAM_MQTT_URL'],
  upstreamHttpUrl: process.env['RESCARD_GATEWAY_UPSTREAM_HTTP_URL'],
};

function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Log, print `{"error":…}` and exit (2: CONFIG_INVALID, else 1); a foreign error is a store failure. */
function fail(err: unknown, log: Logger): never {
  return exitOnFailure('rescard-gateway', 'GATEWAY_STORE_FAILURE', err, log);
}

function cliLogger(): Logger {
  return pino({ level: env.logLevel ?? 'warn' }, pino.destination({ fd: 2, sync: true }));
}

async function start(opts: { config: string }): Promise<void> {
  let log = pino({ level: env.logLevel ?? 'info' }, pino.destination({ fd: 2, sync: true }));
  try {
    const config = loadGatewayConfig(opts.config, env);
    log = pino({ level: config.logLevel, base: { gatewayId: config.gatewayId } }, pino.destination({ fd: 2, sync: false }));
    const gateway = await createGateway({ config, log, appVersion: appVersion() });
    process.stdout.write(`${JSON.stringify({ mqtt: gateway.ports.mqtt, http: gateway.ports.http })}\n`);
    stopOnSignals({ log, stop: () => gateway.stop(), onFailure: (err) => fail(err, log) });
  } catch (err) {
    fail(err, log);
  }
}

const program = new Command('rescard-gateway').description('rescard gateway: local broker, durable outbox to the server, list cache').showHelpAfterError();

program
  .command('start')
  .description('run the gateway (gateway.db and the list cache in the config\'s dataDir)')
  .requiredOption('--config <file>', 'JSON config file (see docs/adr/0005-gateway.md)')
  .action(start);

program
  .command('enroll')
  .description('enrol this gateway with a one-time token: key pair, certificate, config for `start` (ADR 0007)')
  .requiredOption('--server <url>', 'the server\'s HTTP base, e.g. http://server:8080')
  .requiredOption('--token <token>', 'the one-time enrolment token (rset1_<gateway id>_…)')
  .requiredOption('--out <dir>', 'where to write device.key, device.crt, ca.crt and gateway.json')
  .option('--template <file>', 'a gateway config to take the local side and the rest from')
  .action(async (opts: { server: string; token: string; out: string; template?: string }) => {
    const log = cliLogger();
    try {
      const result = await runGatewayEnroll({ server: opts.server, token: opts.token, out: opts.out, log, ...(opts.template ? { template: opts.template } : {}) });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program
  .command('renew')
  .description('renew the gateway\'s certificate now, by proof of its current key (start also renews by itself)')
  .requiredOption('--config <file>', 'gateway config file (JSON) with upstream.tls')
  .action(async (opts: { config: string }) => {
    const log = cliLogger();
    try {
      const config = loadGatewayConfig(opts.config, env);
      if (!config.upstream.tls) throw new RescardError('CONFIG_INVALID', 'renew needs upstream.tls in the config (rescard-gateway enroll writes it)');
      const renewed = await renewCertificate({ server: config.upstream.httpUrl, deviceId: config.gatewayId, files: config.upstream.tls });
      process.stdout.write(`${JSON.stringify({ gatewayId: config.gatewayId, serial: renewed.serial, notAfter: new Date(renewed.notAfterMs).toISOString() })}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

await program.parseAsync(process.argv);
