/**
 * `rescard-sim gps --port PATH [--nmea FILE | --route FILE] [--rate-hz N] [--loop]`: a GPS
 * receiver on a serial port. --nmea replays a recorded log at its own pace (or --rate-hz
 * epochs per second); --route drives along a route file, sending RMC + GGA --rate-hz times per
 * second (default 1). Prints one line when the feed ends. Option errors are CONFIG_INVALID.
 */
import { basename } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import type { SimTalker } from '../gps/nmea-encode.js';
import { readNmeaLog } from '../gps/nmea-log.js';
import { SimGps } from '../gps/sim-gps.js';
import { readSimRoute } from '../gps/sim-route.js';

export interface GpsCommandOptions {
  readonly port: string;
  readonly nmea?: string;
  readonly route?: string;
  readonly rateHz?: number;
  readonly loop?: boolean;
  readonly baud: number;
  readonly talker: SimTalker;
}

export interface GpsCommandIo {
  readonly out: (line: string) => void;
  readonly logger: (level: string) => Logger;
  readonly defaultLogLevel: string;
}

function positive(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > max) throw new InvalidArgumentError(`expected a number above 0, at most ${max}`);
    return n;
  };
}

export async function runGpsCommand(options: GpsCommandOptions, logger: Logger, out: (line: string) => void): Promise<void> {
  if ((options.nmea === undefined) === (options.route === undefined)) {
    throw new RescardError('CONFIG_INVALID', 'give exactly one of --nmea FILE or --route FILE');
  }
  const source = options.nmea !== undefined ? { log: await readNmeaLog(options.nmea) } : { route: await readSimRoute(options.route ?? '') };
  const label = options.nmea !== undefined ? `log ${basename(options.nmea)}` : `route ${basename(options.route ?? '')}`;
  const sim = await SimGps.open({
    path: options.port,
    baudRate: options.baud,
    source,
    talker: options.talker,
    logger,
    ...(options.rateHz !== undefined ? { rateHz: options.rateHz } : {}),
    ...(options.loop === true ? { loop: true } : {}),
  });
  out(`gps: ${label} → ${options.port}${options.loop === true ? ' (looping, Ctrl-C to stop)' : ''}`);
  const onSigint = (): void => void sim.stop();
  process.once('SIGINT', onSigint);
  try {
    const summary = await sim.done;
    out(`gps: ${summary.frames} epochs sent in ${summary.laps} lap(s)`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Adds the `gps` command to rescard-sim (called from main.ts). */
export function registerGpsCommand(program: Command, io: GpsCommandIo): void {
  program
    .command('gps')
    .description('a GPS receiver sending NMEA 0183 (RMC, GGA) on a serial port or pty')
    .requiredOption('--port <path>', 'serial port or pty to write to (e.g. one end of a socat pair)')
    .option('--nmea <file>', 'replay a recorded NMEA log (lines starting with # are skipped)')
    .option('--route <file>', 'drive along a route file (JSON: stops with lat, lon, speedKmh, dwellS)')
    .option('--rate-hz <n>', 'fixes per second on a route; with --nmea, a fixed epoch rate instead of the log pace', positive(1000))
    .option('--loop', 'start again at the end')
    .option('--baud <n>', 'baud rate', positive(921_600), 9600)
    .addOption(new Option('--talker <id>', 'talker id of generated sentences').choices(['GP', 'GN', 'GL', 'GA']).default('GP'))
    .addOption(new Option('--log-level <level>', 'pino level on stderr; trace logs the bytes sent in hex').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(io.defaultLogLevel))
    .action(async (raw: GpsCommandOptions & { logLevel: string }) => {
      await runGpsCommand(raw, io.logger(raw.logLevel), io.out);
    });
}
