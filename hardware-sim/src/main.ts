#!/usr/bin/env node
/**
 * rescard-sim: the simulator's command line (composition root: the only file that reads
 * process.env and builds the logger). Exit codes: 0 done, 1 runtime failure (e.g. vpcd not
 * reachable), 2 bad options (unknown profile, unreadable transcript, bad numbers).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { RescardError } from '@rescard/shared';
import { listProfiles, runCardCommand, type CardCommandOptions } from './cli/card-command.js';
import { registerFleetCommand } from './cli/fleet-command.js';
import { registerGpsCommand } from './cli/gps-command.js';
import { registerTurnstileCommand } from './cli/turnstile-command.js';
import type { PresentedCard } from './vpcd/vpcd-client.js';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from './vpcd/vpcd-client.js';

const EXIT_BAD_OPTIONS = 2;

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return Number(value);
  };
}

interface RawCardOptions extends Partial<CardCommandOptions> {
  readonly listProfiles?: boolean;
  readonly logLevel: string;
}

async function main(argv: readonly string[]): Promise<number> {
  let current: PresentedCard | undefined;
  let aborted = false;
  const program = new Command('rescard-sim').description('virtual cards and devices for rescard tests and demos (test equipment)').exitOverride();
  program
    .command('card')
    .description('present a virtual contactless card to pcscd through the vpcd virtual reader')
    .option('--replay <file>', 'answer from an APDU transcript (.apdu)')
    .option('--profile <name>', 'answer as a built-in card profile (see --list-profiles)')
    .option('--pan <digits>', 'override the profile PAN (12-19 digits; use test PANs only)')
    .option('--hold-ms <n>', 'how long each tap keeps the card in the field', integer(1, 3_600_000), 1500)
    .option('--taps <n>', 'number of taps', integer(1, 100_000), 1)
    .option('--gap-ms <n>', 'pause between taps', integer(0, 3_600_000), 1000)
    .option('--host <host>', 'vpcd host', VPCD_DEFAULT_HOST)
    .option('--port <n>', 'vpcd port (one reader slot per port)', integer(1, 65535), VPCD_DEFAULT_PORT)
    .option('--list-profiles', 'list the built-in profiles and exit')
    .addOption(new Option('--log-level <level>', 'pino level on stderr; trace logs APDUs in hex').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(process.env['RESCARD_SIM_LOG_LEVEL'] ?? 'warn'))
    .action(async (raw: RawCardOptions) => {
      if (raw.listProfiles === true) {
        listProfiles((line) => console.log(line));
        return;
      }
      const logger = pino({ level: raw.logLevel, base: { app: 'rescard-sim' } }, pino.destination(2));
      process.once('SIGINT', () => {
        aborted = true;
        void current?.remove();
      });
      await runCardCommand(raw as CardCommandOptions, {
        out: (line) => console.log(line),
        logger,
        aborted: () => aborted,
        onPresented: (card) => {
          current = card;
        },
      });
    });
  registerGpsCommand(program, {
    out: (line) => console.log(line),
    logger: (level) => pino({ level, base: { app: 'rescard-sim' } }, pino.destination(2)),
    defaultLogLevel: process.env['RESCARD_SIM_LOG_LEVEL'] ?? 'warn',
  });
  registerTurnstileCommand(program, {
    out: (line) => console.log(line),
    logger: (level) => pino({ level, base: { app: 'rescard-sim' } }, pino.destination(2)),
    defaultLogLevel: process.env['RESCARD_SIM_LOG_LEVEL'] ?? 'warn',
  });
  registerFleetCommand(program, {
    out: (line) => console.log(line),
    logger: (level) => pino({ level, base: { app: 'rescard-sim' } }, pino.destination(2)),
    defaultLogLevel: process.env['RESCARD_SIM_LOG_LEVEL'] ?? 'warn',
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
    return aborted ? 130 : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_BAD_OPTIONS;
    }
    console.error(`rescard-sim: ${(err as Error).message}`);
    return err instanceof RescardError && err.code === 'CONFIG_INVALID' ? EXIT_BAD_OPTIONS : 1;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
