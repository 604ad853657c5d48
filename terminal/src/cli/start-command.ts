/** `rescard-terminal start --config FILE`: run the device until SIGINT/SIGTERM. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConsoleFeedback } from '../adapters/console/console-feedback.js';
import { PcscCardReader } from '../adapters/pcsc/pcsc-card-reader.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { createTerminal } from '../app/terminal.js';
import { TapProcessor } from '../app/tap-processor.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { openDevice } from './device.js';

export async function runStart(config: TerminalConfig, log: Logger): Promise<void> {
  const device = openDevice(config, log);
  const clock = new SystemClock();
  const processor = new TapProcessor({
    context: config.context,
    rules: config.rules,
    lists: device.lists,
    journal: device.journal,
    clock,
    clockState: device.clockState,
    clockToleranceMs: config.clockBackwardToleranceMs,
    atomically: (fn) => device.db.atomically(fn),
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
  device.close();
}
