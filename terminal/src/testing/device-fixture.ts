/**
 * Test support (compiled, used by tests and the crash harness): a terminal wired exactly as
 * `start` wires it — TapProcessor + createTerminal over the real SQLite device store — but with
 * an in-process FakeCardReader and an injectable Clock and Feedback.
 */
import { randomBytes } from 'node:crypto';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring } from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteClockStateStore } from '../adapters/sqlite/sqlite-clock-state.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { SqliteTapJournal } from '../adapters/sqlite/sqlite-tap-journal.js';
import { createTerminal, type Terminal } from '../app/terminal.js';
import { TapProcessor } from '../app/tap-processor.js';
import { parseTerminalConfig, type TerminalConfig } from '../config/terminal-config.js';
import type { Clock } from '../ports/clock.js';
import { FakeCardReader } from '../ports/fake-card-reader.js';
import type { Feedback } from '../ports/feedback.js';
import type { Peripherals } from '../ports/peripherals.js';
import type { Position } from '../ports/position.js';

export interface DeviceFixture {
  readonly config: TerminalConfig;
  readonly db: DeviceDb;
  readonly lists: SqliteListStore;
  readonly journal: SqliteTapJournal;
  readonly reader: FakeCardReader;
  readonly terminal: Terminal;
  readonly keyring: TokenKeyring;
  close(): Promise<void>;
}

export interface DeviceFixtureOptions {
  readonly rawConfig: unknown;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly feedback: Feedback;
  readonly readerName?: string;
  readonly log?: Logger;
  readonly position?: Position;
  readonly peripherals?: Peripherals;
}

export async function startDeviceFixture(options: DeviceFixtureOptions): Promise<DeviceFixture> {
  const log = options.log ?? pino({ level: 'silent' });
  const config = parseTerminalConfig({ ...(options.rawConfig as object), dataDir: options.dataDir });
  const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  const db = openDeviceDb(config.dbPath);
  const lists = new SqliteListStore(db);
  const journal = new SqliteTapJournal(db, { capacityTaps: config.journalCapacityTaps });
  const processor = new TapProcessor({
    context: config.context,
    rules: config.rules,
    lists,
    journal,
    clock: options.clock,
    clockState: new SqliteClockStateStore(db),
    clockToleranceMs: config.clockBackwardToleranceMs,
    atomically: (fn) => db.atomically(fn),
    ...(options.position ? { position: options.position } : {}),
  });
  const reader = new FakeCardReader(options.readerName ?? config.readers[0]?.name ?? 'Fake Reader 00');
  const terminal = createTerminal({
    reader,
    readers: config.readers,
    processor,
    journal,
    feedback: options.feedback,
    keyring,
    clock: options.clock,
    random: randomBytes,
    readTimeoutMs: config.readTimeoutMs,
    profile: config.profile,
    log,
    ...(options.peripherals ? { peripherals: options.peripherals, releaseMs: 3000 } : {}),
  });
  await terminal.start();
  return {
    config,
    db,
    lists,
    journal,
    reader,
    terminal,
    keyring,
    close: async () => {
      await terminal.stop();
      db.close();
    },
  };
}
