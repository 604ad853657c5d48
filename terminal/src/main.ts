#!/usr/bin/env node
/**
 * rescard-terminal: the composition root. The only file that reads process.env and builds
 * real adapters. Logs go to stderr (pino, JSON); command output goes to stdout.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { renewCertificate, RescardError } from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { keyringFrom } from './cli/device.js';
import { runEnroll } from './cli/enroll-command.js';
import { runListsLoad } from './cli/lists-command.js';
import { formatRead, runRead } from './cli/read-command.js';
import { runStart } from './cli/start-command.js';
import { runStatus } from './cli/status-command.js';
import { loadTerminalConfig, type ConfigEnv } from './config/terminal-config.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const USAGE_CODES = new Set(['CONFIG_INVALID', 'TOKEN_KEY_INVALID']);

const env: ConfigEnv = {
  RESCARD_DATA_DIR: process.env['RESCARD_DATA_DIR'],
  RESCARD_LOG_LEVEL: process.env['RESCARD_LOG_LEVEL'],
  RESCARD_READER: process.env['RESCARD_READER'],
};

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function makeLogger(level: string | undefined): Logger {
  // Synchronous: a CLI that exits right after an error must not lose the log line.
  return pino({ level: level ?? env.RESCARD_LOG_LEVEL ?? 'warn' }, pino.destination({ fd: 2, sync: true }));
}

function fail(err: unknown, log: Logger): never {
  const error = err instanceof RescardError ? err : new RescardError('READER_FAILURE', err instanceof Error ? err.message : String(err));
  log.error({ code: error.code, details: error.details }, error.message);
  process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
  process.stderr.write(`rescard-terminal: ${error.code}: ${error.message}\n`);
  process.exit(USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE);
}

/** `read --config` needs only tokenKeys: read them without requiring a whole device config. */
function readTokenKeys(path: string): { tokenKeys: unknown } {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { tokenKeys?: unknown };
    return { tokenKeys: raw.tokenKeys };
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read config ${path}: ${(err as Error).message}`, { path });
  }
}

const program = new Command('rescard-terminal')
  .description('rescard device runtime: bus validator, school gate, canteen reader')
  .showHelpAfterError();

program
  .command('read')
  .description('wait for one card, read it, print one JSON line (token and masked PAN, never the PAN)')
  .option('--reader <name>', 'use only the PC/SC reader whose name contains this')
  .option('--timeout-ms <n>', 'how long to wait for a reader and a card', intOption, 30_000)
  .option('--read-timeout-ms <n>', 'whole-read timeout once a card is seen', intOption, 3_000)
  .option('--config <file>', 'terminal config file (for tokenKeys); the development key when absent')
  .option('--log-level <level>', 'pino level for stderr logs (default warn, or RESCARD_LOG_LEVEL)')
  .action(async (opts: { reader?: string; timeoutMs: number; readTimeoutMs: number; config?: string; logLevel?: string }) => {
    const log = makeLogger(opts.logLevel);
    try {
      const keyring = keyringFrom(opts.config ? readTokenKeys(opts.config) : { tokenKeys: undefined }, log);
      const read = await runRead({
        waitMs: opts.timeoutMs,
        readTimeoutMs: opts.readTimeoutMs,
        keyring,
        log,
        ...(opts.reader ? { readerName: opts.reader } : {}),
      });
      process.stdout.write(`${formatRead(read)}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program
  .command('start')
  .description('run the device: read → token → decide → journal → feedback, until SIGINT/SIGTERM')
  .requiredOption('--config <file>', 'terminal config file (JSON)')
  .action(async (opts: { config: string }) => {
    let log = makeLogger(undefined);
    try {
      const config = loadTerminalConfig(opts.config, env);
      log = pino({ level: config.logLevel }, pino.destination({ fd: 2, sync: true }));
      await runStart(config, log);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program
  .command('status')
  .description('print the device state as JSON: lists and their freshness, journal depth, mode')
  .requiredOption('--config <file>', 'terminal config file (JSON)')
  .action((opts: { config: string }) => {
    const log = makeLogger(undefined);
    try {
      const config = loadTerminalConfig(opts.config, env);
      process.stdout.write(`${JSON.stringify(runStatus(config, log, Date.now()), null, 2)}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program
  .command('enroll')
  .description('enrol this device with a one-time token: key pair, certificate, config for `start` (ADR 0007)')
  .requiredOption('--server <url>', 'the server\'s HTTP base, e.g. http://server:8080')
  .requiredOption('--token <token>', 'the one-time enrolment token (rset1_<device id>_…)')
  .requiredOption('--out <dir>', 'where to write device.key, device.crt, ca.crt and terminal.json')
  .option('--template <file>', 'a terminal config to take rules, readers and the rest from')
  .action(async (opts: { server: string; token: string; out: string; template?: string }) => {
    const log = makeLogger(undefined);
    try {
      const result = await runEnroll({ server: opts.server, token: opts.token, out: opts.out, log, ...(opts.template ? { template: opts.template } : {}) });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program
  .command('renew')
  .description('renew this device\'s certificate now, by proof of its current key (start also renews by itself)')
  .requiredOption('--config <file>', 'terminal config file (JSON) with uplink.tls')
  .option('--server <url>', 'the server\'s HTTP base (default: uplink.tls.renewServer)')
  .action(async (opts: { config: string; server?: string }) => {
    const log = makeLogger(undefined);
    try {
      const config = loadTerminalConfig(opts.config, env);
      const tls = config.uplink?.tls;
      const server = opts.server ?? tls?.renewServer;
      if (!tls || server === undefined) throw new RescardError('CONFIG_INVALID', 'renew needs uplink.tls with renewServer in the config, or --server');
      const renewed = await renewCertificate({ server, deviceId: config.deviceId, files: tls });
      process.stdout.write(`${JSON.stringify({ deviceId: config.deviceId, serial: renewed.serial, notAfter: new Date(renewed.notAfterMs).toISOString() })}\n`);
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

const lists = program.command('lists').description('lists cached on this device');
lists
  .command('load <file>')
  .description('apply a signed list file (snapshot or delta); dev-mode files only where lists.allowDev')
  .requiredOption('--config <file>', 'terminal config file (JSON)')
  .action(async (file: string, opts: { config: string }) => {
    const log = makeLogger(undefined);
    try {
      const config = loadTerminalConfig(opts.config, env);
      const result = await runListsLoad(file, config, log, Date.now());
      const { meta } = result;
      process.stdout.write(
        `${JSON.stringify({ list: meta.list, version: meta.version, applied: result.applied, count: meta.count, expiresAt: new Date(meta.expiresAtMs).toISOString(), dev: result.dev })}\n`,
      );
      process.exit(0);
    } catch (err) {
      fail(err, log);
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`rescard-terminal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_USAGE);
});
