/**
 * `rescard-sim turnstile --port PATH [--address N] [--scbk HEX | --install] [--pass-probability P]
 *  [--walk-ms N] [--fault crc|slow|offline|mac]`: an OSDP PD (SIA OSDP 2.2) on a serial port or
 * pty: a turnstile with two directions, a passage sensor, LED, buzzer and text shown here, and the
 * Secure Channel. It speaks the real protocol, so it doubles as a development device. Runs until
 * Ctrl-C. Option errors are CONFIG_INVALID (exit 2).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import type { SimFaults } from '../osdp/pd-faults.js';
import { SimPd } from '../osdp/sim-pd.js';
import { realTimers } from '../osdp/sim-ports.js';
import { openSimSerialLine } from '../osdp/sim-serial-line.js';
import { SimTurnstile } from '../osdp/sim-turnstile.js';

export type TurnstileFault = 'crc' | 'slow' | 'offline' | 'mac';

export interface TurnstileCommandOptions {
  readonly port: string;
  readonly address: number;
  readonly scbk?: string;
  readonly install?: boolean;
  readonly passProbability: number;
  readonly walkMs: number;
  readonly fault?: TurnstileFault;
  readonly slowMs: number;
  readonly baud: number;
}

export interface TurnstileCommandIo {
  readonly out: (line: string) => void;
  readonly logger: (level: string) => Logger;
  readonly defaultLogLevel: string;
}

const OFFLINE_CYCLE = { upMs: 10_000, downMs: 5_000 };

function number(min: number, max: number, integer = true): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };
}

function faults(fault: TurnstileFault | undefined, slowMs: number): SimFaults {
  if (fault === 'crc') return { crcEvery: 5 };
  if (fault === 'slow') return { slowMs };
  if (fault === 'mac') return { macEvery: 20 };
  return {};
}

export async function runTurnstileCommand(options: TurnstileCommandOptions, logger: Logger, out: (line: string) => void): Promise<void> {
  if (options.scbk !== undefined && options.install === true) throw new RescardError('CONFIG_INVALID', 'give --scbk HEX or --install, not both');
  if (options.scbk !== undefined && !/^[0-9a-fA-F]{32}$/.test(options.scbk)) throw new RescardError('CONFIG_INVALID', '--scbk takes 16 bytes as 32 hex digits');
  const line = await openSimSerialLine(options.port, options.baud);
  const turnstile = new SimTurnstile(realTimers, { passProbability: options.passProbability, walkMs: options.walkMs, out: (text) => out(`turnstile: ${text}`) });
  const pd = new SimPd(line, realTimers, turnstile, {
    address: options.address,
    ...(options.scbk === undefined ? {} : { scbk: Buffer.from(options.scbk, 'hex') }),
    ...(options.install === true ? { installMode: true } : {}),
  });
  pd.faults = faults(options.fault, options.slowMs);
  pd.onKeyChange = () => out('turnstile: KEYSET received: new SCBK in use for the next session (not shown; the CP knows it)');
  const security = options.scbk !== undefined ? 'Secure Channel (SCBK)' : options.install === true ? 'Secure Channel, INSTALL MODE (SCBK-D, bench only)' : 'NO Secure Channel';
  out(`turnstile: OSDP PD at address ${options.address} on ${options.port}, ${security}${options.fault === undefined ? '' : `, fault: ${options.fault}`} (Ctrl-C to stop)`);
  let cycle: NodeJS.Timeout | undefined;
  if (options.fault === 'offline') {
    const goDown = (): void => {
      pd.offline();
      out(`turnstile: going offline for ${OFFLINE_CYCLE.downMs} ms (fault)`);
      cycle = setTimeout(() => {
        pd.online();
        out('turnstile: back online');
        cycle = setTimeout(goDown, OFFLINE_CYCLE.upMs);
      }, OFFLINE_CYCLE.downMs);
    };
    cycle = setTimeout(goDown, OFFLINE_CYCLE.upMs);
  }
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  clearTimeout(cycle);
  await line.close();
  logger.info({ stats: pd.stats, badPackets: pd.badPackets, passages: turnstile.passages }, 'turnstile stopped');
  out(`turnstile: stopped after ${pd.stats.commands} commands, ${turnstile.passages} passages`);
}

/** Adds the `turnstile` command to rescard-sim (called from main.ts). */
export function registerTurnstileCommand(program: Command, io: TurnstileCommandIo): void {
  program
    .command('turnstile')
    .description('an OSDP turnstile (PD) on a serial port or pty: two directions, passage sensor, LED, buzzer, text, Secure Channel')
    .requiredOption('--port <path>', 'serial port or pty (e.g. one end of a socat pair)')
    .option('--address <n>', 'OSDP address 0-126', number(0, 126), 0)
    .option('--scbk <hex>', 'Secure Channel Base Key, 32 hex digits')
    .option('--install', 'install mode: accept the default key SCBK-D until a KEYSET (bench only)')
    .option('--pass-probability <p>', 'chance that someone walks through after a release', number(0, 1, false), 0.9)
    .option('--walk-ms <n>', 'time from a release to the passage sensor', number(0, 60_000), 700)
    .addOption(new Option('--fault <kind>', 'crc: every 5th reply corrupted; slow: replies late; offline: silent 5 s every 15 s; mac: every 20th MAC wrong').choices(['crc', 'slow', 'offline', 'mac']))
    .option('--slow-ms <n>', 'reply delay with --fault slow (over 200 ms makes the CP retry)', number(0, 10_000), 250)
    .option('--baud <n>', 'baud rate (8N1)', number(1200, 921_600), 9600)
    .addOption(new Option('--log-level <level>', 'pino level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(io.defaultLogLevel))
    .action(async (raw: TurnstileCommandOptions & { logLevel: string }) => {
      await runTurnstileCommand(raw, io.logger(raw.logLevel), io.out);
    });
}
