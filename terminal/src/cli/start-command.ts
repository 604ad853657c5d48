/** `rescard-terminal start --config FILE`: run the device until SIGINT/SIGTERM. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConsoleFeedback } from '../adapters/console/console-feedback.js';
import { NmeaPosition } from '../adapters/nmea/nmea-position.js';
import { SerialNmeaReader } from '../adapters/nmea/serial-nmea-reader.js';
import { PcscCardReader } from '../adapters/pcsc/pcsc-card-reader.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { createTerminal } from '../app/terminal.js';
import { TapProcessor } from '../app/tap-processor.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { openDevice } from './device.js';

export async function runStart(config: TerminalConfig, log: Logger): Promise<void> {
  const device = openDevice(config, log);
  const clock = new SystemClock();
  const gps = config.gps ? await openGps(config.gps, clock, log) : null;
  const processor = new TapProcessor({
    context: config.context,
    rules: config.rules,
    lists: device.lists,
    journal: device.journal,
    clock,
    clockState: device.clockState,
    clockToleranceMs: config.clockBackwardToleranceMs,
    atomically: (fn) => device.db.atomically(fn),
    ...(gps ? { position: gps.position } : {}),
  });
  const feedback = new ConsoleFeedback(config.deviceId);
  const terminal = createTerminal({
    reader: new PcscCardReader({ log }),
    readers: config.readers,
    processor,
    journal: device.journal,
    feedback: {
      tap: async (f) => {
        await feedback.tap(f);
        device.db.checkpointIfDue(); // after the feedback: a WAL checkpoint never delays a tap
      },
      fault: (f) => feedback.fault(f),
      status: (s) => feedback.status(s),
    },
    keyring: device.keyring,
    clock,
    random: randomBytes,
    readTimeoutMs: config.readTimeoutMs,
    profile: config.profile,
    log,
  });
  const stats = device.journal.stats();
  log.info({ deviceId: config.deviceId, profile: config.profile, db: config.dbPath, nextSeq: stats.nextSeq, depth: stats.depth }, 'device opened');
  await terminal.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await terminal.stop();
  await gps?.reader.close();
  device.close();
}

/** The bus GPS: NMEA bytes from the serial port into the position tracker (fix age on monotonic time). */
async function openGps(
  config: NonNullable<TerminalConfig['gps']>,
  clock: SystemClock,
  log: Logger,
): Promise<{ position: NmeaPosition; reader: SerialNmeaReader }> {
  const gpsLog = log.child({ module: 'gps' });
  const position = new NmeaPosition({ clock, maxAgeMs: config.maxAgeMs, route: config.route, log: gpsLog });
  const reader = new SerialNmeaReader({ path: config.port, baudRate: config.baudRate, sink: position, log: gpsLog });
  await reader.openOrRetry();
  return { position, reader };
}
