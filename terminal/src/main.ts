#!/usr/bin/env node
/**
 * rescard-terminal: the composition root. The only file that reads process.env and builds
 * real adapters. Logs go to stderr (pino, JSON); command output goes to stdout.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { DEV_TOKEN_KEYRING_CONFIG, RescardError, TokenKeyring, type TokenKeyringConfig } from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { formatRead, runRead } from './cli/read-command.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function makeLogger(level: string | undefined): Logger {
  return pino({ level: level ?? process.env['RESCARD_LOG_LEVEL'] ?? 'warn' }, pino.destination({ fd: 2, sync: true }));
}

function loadKeyring(configPath: string | undefined, log: Logger): TokenKeyring {
  if (!configPath) {
    log.warn({ kid: DEV_TOKEN_KEYRING_CONFIG.primaryKid }, 'no config: using the DEVELOPMENT token key');
    return TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  }
  let parsed: { tokenKeys?: unknown };
  try {
    parsed = JSON.parse(readFileSync(configPath, 'utf8')) as { tokenKeys?: unknown };
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read config ${configPath}: ${(err as Error).message}`, { configPath });
  }
  if (parsed.tokenKeys === undefined) {
    log.warn({ kid: DEV_TOKEN_KEYRING_CONFIG.primaryKid }, 'config has no tokenKeys: using the DEVELOPMENT token key');
    return TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  }
  return TokenKeyring.fromConfig(parsed.tokenKeys as TokenKeyringConfig);
}

function fail(err: unknown, log: Logger): never {
  const error =
    err instanceof RescardError ? err : new RescardError('READER_FAILURE', err instanceof Error ? err.message : String(err));
  log.error({ code: error.code, details: error.details }, error.message);
  process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
  process.stderr.write(`rescard-terminal: ${error.code}: ${error.message}\n`);
  process.exit(error.code === 'CONFIG_INVALID' || error.code === 'TOKEN_KEY_INVALID' ? EXIT_USAGE : EXIT_FAILURE);
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
      const keyring = loadKeyring(opts.config, log);
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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`rescard-terminal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_USAGE);
});
