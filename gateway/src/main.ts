#!/usr/bin/env node
/**
 * rescard-gateway: the composition root. The only file that reads process.env and builds real
 * adapters. Logs go to stderr (pino, JSON); `start` prints one JSON line on stdout with the bound
 * ports (`{"mqtt":N,"http":M}`), so port 0 (ephemeral) can be used by tests and the demo.
 * SIGTERM / SIGINT: stop gracefully (retained offline status upstream, database closed).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { RescardError } from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { createGateway } from './app/gateway.js';
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

function fail(err: unknown, log: Logger): never {
  const error = err instanceof RescardError ? err : new RescardError('GATEWAY_STORE_FAILURE', err instanceof Error ? err.message : String(err));
  log.error({ code: error.code, details: error.details }, error.message);
  process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
  process.stderr.write(`rescard-gateway: ${error.code}: ${error.message}\n`);
  process.exit(error.code === 'CONFIG_INVALID' ? 2 : 1);
}

async function start(opts: { config: string }): Promise<void> {
  let log = pino({ level: env.logLevel ?? 'info' }, pino.destination({ fd: 2, sync: true }));
  try {
    const config = loadGatewayConfig(opts.config, env);
    log = pino({ level: config.logLevel, base: { gatewayId: config.gatewayId } }, pino.destination({ fd: 2, sync: false }));
    const gateway = await createGateway({ config, log, appVersion: appVersion() });
    process.stdout.write(`${JSON.stringify({ mqtt: gateway.ports.mqtt, http: gateway.ports.http })}\n`);
    const shutdown = (signal: string): void => {
      log.info({ signal }, 'stopping');
      gateway.stop().then(
        () => {
          log.flush();
          process.exit(0);
        },
        (err: unknown) => fail(err, log),
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
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

await program.parseAsync(process.argv);
