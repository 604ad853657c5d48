/**
 * `rescard-sim fleet --server URL --terminals N --rate R --duration S [--batch N] [--mqtt-url URL]
 *  [--lists-url URL] [--profile bus|gate|canteen] [--seed N] …`: N simulated terminals speaking
 * protocol v1 over MQTT (fleet/), for load and fault tests. A load tool: lists are tracked, never
 * verified (fleet/list-tracker.ts).
 *
 * --server: the server's HTTP base (http://host:port; the broker port is read from GET /health
 * unless --mqtt-url is given, and at the end the server's per-device counts are compared with the
 * journals) or a broker directly (mqtt://host:port, a gateway or the server; no comparison).
 * --rate: taps per second per terminal. Taps are made for --duration seconds; then the fleet
 * waits up to --drain seconds for every tap to be acked. Prints readable lines, then the summary
 * as one JSON line. Exit 0: every tap acked (and the server agrees); 1 otherwise; 2 bad options.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import { Fleet, type FleetOptions } from '../fleet/fleet.js';
import { summaryLines } from '../fleet/fleet-report.js';
import { checkServerCounts, discoverMqttUrl, type ServerAgreement } from '../fleet/server-check.js';
import type { FleetProfile } from '../fleet/synthetic-tap.js';

interface RawFleetOptions {
  readonly server: string;
  readonly terminals: number;
  readonly rate: number;
  readonly duration: number;
  readonly batch: number;
  readonly inFlight: number;
  readonly ackTimeoutMs: number;
  readonly mqttUrl?: string;
  readonly listsUrl?: string;
  readonly profile: FleetProfile;
  readonly audience: string;
  readonly seed: number;
  readonly prefix: string;
  readonly journalCapacity: number;
  readonly heartbeatMs: number;
  readonly reconnectMs: number;
  readonly drain: number;
  readonly token?: string;
  readonly logLevel: string;
}

export interface FleetCommandIo {
  readonly out: (line: string) => void;
  readonly logger: (level: string) => Logger;
  readonly defaultLogLevel: string;
}

function num(min: number, max: number, integer: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };
}

function url(protocols: readonly string[]): (value: string) => string {
  return (value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new InvalidArgumentError('expected a URL');
    }
    if (!protocols.includes(parsed.protocol)) throw new InvalidArgumentError(`expected a ${protocols.join(' or ')} URL`);
    return value;
  };
}

export async function runFleetCommand(raw: RawFleetOptions, log: Logger, out: (line: string) => void): Promise<void> {
  const httpBase = /^https?:/.test(raw.server) ? raw.server : null;
  const mqttUrl = raw.mqttUrl ?? (httpBase === null ? raw.server : await discoverMqttUrl(httpBase));
  const options: FleetOptions = {
    mqttUrl, terminals: raw.terminals, ratePerTerminal: raw.rate, batchSize: raw.batch, maxInFlight: raw.inFlight, ackTimeoutMs: raw.ackTimeoutMs,
    profile: raw.profile, audience: raw.audience, seed: raw.seed, prefix: raw.prefix, journalCapacity: raw.journalCapacity,
    heartbeatMs: raw.heartbeatMs, reconnectMs: raw.reconnectMs, log, ...(raw.listsUrl === undefined ? {} : { listsBaseUrl: raw.listsUrl }),
  };
  out(`fleet: ${raw.terminals} × ${raw.profile} terminals → ${mqttUrl}, ${raw.rate} taps/s each for ${raw.duration} s, batches of ${raw.batch}`);
  const fleet = new Fleet(options);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSigint = (): void => stop();
  process.once('SIGINT', onSigint);
  try {
    fleet.startTaps();
    const timer = setTimeout(stop, raw.duration * 1000);
    await stopped;
    clearTimeout(timer);
    fleet.stopTaps();
    out(`fleet: taps stopped; draining (up to ${raw.drain} s)`);
    await fleet.drain(raw.drain * 1000);
    const summary = fleet.summary();
    let server: ServerAgreement | null = null;
    if (httpBase !== null && summary.perDevice !== undefined) server = await checkServerCounts(httpBase, summary.perDevice, 5000, raw.token ?? process.env['RESCARD_TOKEN'] ?? null);
    for (const line of summaryLines(summary)) out(line);
    if (server !== null) out(server.agrees ? 'server: per-device counts equal the journals' : `server: ${server.mismatched.length}+ devices differ`);
    out(JSON.stringify({ fleet: 'summary', ...summary, serverAgrees: server?.agrees ?? null, ...(server && !server.agrees ? { serverMismatched: server.mismatched } : {}) }));
    if (!summary.allAcked || server?.agrees === false) {
      throw new RescardError('MQTT_UNAVAILABLE', summary.allAcked ? 'the server counts differ from the journals' : `${summary.pending} taps were not acknowledged`, { pending: summary.pending });
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    await fleet.close();
  }
}

/** Adds the `fleet` command to rescard-sim (called from main.ts). */
export function registerFleetCommand(program: Command, io: FleetCommandIo): void {
  program
    .command('fleet')
    .description('simulate N terminals speaking the sync protocol over MQTT (load and fault tests; no PC/SC)')
    .requiredOption('--server <url>', 'server HTTP base (http://host:port) or a broker (mqtt://host:port)', url(['http:', 'https:', 'mqtt:', 'mqtts:']))
    .requiredOption('--terminals <n>', 'simulated terminals', num(1, 100_000, true))
    .requiredOption('--rate <r>', 'taps per second per terminal', num(0, 10_000, false))
    .requiredOption('--duration <s>', 'seconds of tapping', num(0, 86_400, false))
    .option('--batch <n>', 'taps per batch', num(1, 500, true), 50)
    .option('--in-flight <n>', 'unacked batches per terminal', num(1, 64, true), 4)
    .option('--ack-timeout-ms <n>', 'resend from committedUpTo when a batch is unacked this long', num(100, 600_000, true), 5000)
    .option('--mqtt-url <url>', 'broker (default: from the server\'s GET /health)', url(['mqtt:', 'mqtts:']))
    .option('--lists-url <url>', 'HTTP base for snapshot downloads (unverified); default: no downloads', url(['http:', 'https:']))
    .addOption(new Option('--profile <name>', 'terminal kind').choices(['bus', 'gate', 'canteen']).default('bus'))
    .option('--audience <a>', 'list audience (region | school:<id>)', 'region')
    .option('--seed <n>', 'PRNG seed (cards, outcomes, phases)', num(0, 2 ** 31, true), 1)
    .option('--prefix <id>', 'device ids are <prefix>-0001 …; seqs start at 1 each run: use a new prefix per server db', 'fleet')
    .option('--journal-capacity <n>', 'taps per terminal journal; a full journal refuses new taps', num(1, 10_000_000, true), 100_000)
    .option('--heartbeat-ms <n>', 'heartbeat period (0: on connect only)', num(0, 3_600_000, true), 5000)
    .option('--reconnect-ms <n>', 'reconnect period (jittered ×0.5–1.5 per terminal)', num(100, 600_000, true), 1000)
    .option('--drain <s>', 'seconds to wait for the last acks', num(0, 3600, false), 30)
    .option('--token <t>', "operator API token for the server check (GET /api/devices); default env RESCARD_TOKEN")
    .addOption(new Option('--log-level <level>', 'pino level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(io.defaultLogLevel))
    .action(async (raw: RawFleetOptions) => {
      if (!/^(region|school:[A-Za-z0-9._-]{1,64})$/.test(raw.audience)) throw new RescardError('CONFIG_INVALID', '--audience is region or school:<id>');
      if (!/^[A-Za-z0-9._-]{1,50}$/.test(raw.prefix)) throw new RescardError('CONFIG_INVALID', '--prefix is 1-50 of A-Z a-z 0-9 . _ -');
      await runFleetCommand(raw, io.logger(raw.logLevel), io.out);
    });
}
