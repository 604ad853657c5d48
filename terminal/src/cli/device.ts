/**
 * Opening a configured device: its database, list store, journal and clock state, and the
 * token keyring. Shared by `start`, `lists load` and `status`. Part of the composition root.
 */
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, type TokenKeyringConfig } from '@rescard/shared';
import type { Logger } from 'pino';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteClockStateStore } from '../adapters/sqlite/sqlite-clock-state.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { SqliteTapJournal } from '../adapters/sqlite/sqlite-tap-journal.js';
import type { TerminalConfig } from '../config/terminal-config.js';

export interface OpenDevice {
  readonly db: DeviceDb;
  readonly lists: SqliteListStore;
  readonly journal: SqliteTapJournal;
  readonly clockState: SqliteClockStateStore;
  readonly keyring: TokenKeyring;
  close(): void;
}

export function keyringFrom(config: { tokenKeys: unknown }, log: Logger): TokenKeyring {
  if (config.tokenKeys === undefined) {
    log.warn({ kid: DEV_TOKEN_KEYRING_CONFIG.primaryKid }, 'no tokenKeys in config: using the DEVELOPMENT token key');
    return TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  }
  return TokenKeyring.fromConfig(config.tokenKeys as TokenKeyringConfig);
}

/**
 * `upgrade`: bring an older database schema up to date; only `start` does (docs on
 * DeviceDbOptions.upgrade), the other commands refuse an older database.
 */
export function openDevice(config: TerminalConfig, log: Logger, options: { upgrade?: boolean } = {}): OpenDevice {
  const keyring = keyringFrom(config, log);
  const db = openDeviceDb(config.dbPath, { upgrade: options.upgrade ?? false });
  const lists = new SqliteListStore(db);
  const journal = new SqliteTapJournal(db, { capacityTaps: config.journalCapacityTaps });
  const clockState = new SqliteClockStateStore(db);
  return { db, lists, journal, clockState, keyring, close: () => db.close() };
}
