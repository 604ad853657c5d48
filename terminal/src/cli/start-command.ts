/** `rescard-terminal start --config FILE`: run the device until SIGINT/SIGTERM. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConsoleFeedback } from '../adapters/console/console-feedback.js';
import { NmeaPosition } from '../adapters/nmea/nmea-position.js';
import { SerialNmeaReader } from '../adapters/nmea/serial-nmea-reader.js';
import { DEFAULT_TURNSTILE, OsdpControlPanel, OsdpPeripherals, SerialByteStream, SystemScheduler } from '../adapters/osdp/index.js';
import { PcscCardReader } from '../adapters/pcsc/pcsc-card-reader.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { ListCompactor } from '../app/list-compactor.js';
import { createTerminal } from '../app/terminal.js';
import { TapProcessor } from '../app/tap-processor.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { startUplink, terminalAppVersion } from '../sync/start-uplink.js';
import { createListVerifiers } from '@rescard/shared';
import { PROFILE_LISTS } from '../core/model.js';
import { openDevice } from './device.js';
import { audiencesOf } from './lists-command.js';

export async function runStart(config: TerminalConfig, log: Logger): Promise<void> {
  const device = openDevice(config, log, { upgrade: true });
  const clock = new SystemClock();
  const gps = config.gps ? await openGps(config.gps, clock, log) : null;
  const osdp = config.osdp ? await openOsdp(config.osdp, clock, log) : null;
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
        uplink?.tapJournaled(f.seq); // after the feedback: the uplink never delays a tap
        device.db.checkpointIfDue(); // after the feedback: a WAL checkpoint never delays a tap
      },
      fault: (f) => feedback.fault(f),
      passage: (f) => feedback.passage(f),
      status: (s) => {
        uplink?.noteStatus(s);
        return feedback.status(s);
      },
    },
    keyring: device.keyring,
    clock,
    random: randomBytes,
    readTimeoutMs: config.readTimeoutMs,
    profile: config.profile,
    log,
    ...(osdp ? { peripherals: osdp.peripherals, releaseMs: config.osdp?.releaseMs ?? 5000 } : {}),
  });
  const compactor = new ListCompactor({ store: device.lists, quiet: () => !terminal.busy, log });
  const uplink = config.uplink
    ? await startUplink({
        config: config.uplink,
        deviceId: config.deviceId,
        profile: config.profile,
        appVersion: terminalAppVersion(),
        journal: device.journal,
        lists: device.lists,
        latenciesMs: () => terminal.latenciesMs,
        listSync: {
          load: {
            store: device.lists,
            keyring: device.keyring,
            verifiers: createListVerifiers(config.lists.verifyKeys),
            allowDev: config.lists.allowDev,
            audiences: audiencesOf(config),
          },
          audiences: audiencesOf(config),
          lists: PROFILE_LISTS[config.profile],
          tmpDir: config.dataDir,
          onApplied: () => compactor.kick(), // a delta (inline or file) leaves pending rows
        },
        clock,
        log,
      })
    : null;
  const stats = device.journal.stats();
  log.info({ deviceId: config.deviceId, profile: config.profile, db: config.dbPath, nextSeq: stats.nextSeq, depth: stats.depth }, 'device opened');
  await terminal.start();
  compactor.kick(); // rows a delta left before the last stop
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await terminal.stop();
  compactor.stop();
  await uplink?.close();
  await gps?.reader.close();
  await osdp?.close();
  device.close();
}

/** The OSDP peripheral: a control panel on the serial line, Secure Channel with the PD's key. */
async function openOsdp(
  config: NonNullable<TerminalConfig['osdp']>,
  clock: SystemClock,
  log: Logger,
): Promise<{ peripherals: OsdpPeripherals; close: () => Promise<void> }> {
  if (config.installMode) log.warn('OSDP install mode: the default key SCBK-D is in use (bench only)');
  const stream = await SerialByteStream.open({ path: config.port, baudRate: config.baudRate }, log);
  const scheduler = new SystemScheduler();
  const key = config.installMode ? { installMode: true, allowInstallMode: true } : config.scbk ? { scbk: config.scbk } : {};
  const cp = new OsdpControlPanel({ stream, scheduler, clock, log }, { pds: [{ address: config.address, name: 'peripheral', ...key }] });
  const peripherals = new OsdpPeripherals(cp, scheduler, log, { address: config.address, turnstile: DEFAULT_TURNSTILE });
  cp.start();
  return {
    peripherals,
    close: async () => {
      await cp.stop();
      await stream.close();
    },
  };
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
