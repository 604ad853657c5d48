/** Test support: a device journal on a real SQLite file, with the real MQTT uplink wired to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { tap } from '../src/adapters/sqlite/contract-fixtures.js';
import { openDeviceDb, type DeviceDb } from '../src/adapters/sqlite/open-device-db.js';
import { SqliteTapJournal } from '../src/adapters/sqlite/sqlite-tap-journal.js';
import { SystemClock } from '../src/adapters/system/system-clock.js';
import { startUplink, type RunningUplink, type UplinkConfig } from '../src/sync/start-uplink.js';

export const DEVICE_ID = 'bus-17'; // the fixture taps' context.deviceId

export interface UplinkDevice {
  readonly db: DeviceDb;
  readonly journal: SqliteTapJournal;
  readonly running: RunningUplink;
  /** Journal `n` taps in one transaction (a backlog), or one by one as live taps. */
  append(n: number, live?: boolean): number[];
  close(): Promise<void>;
}

export async function startUplinkDevice(url: string, config: Partial<UplinkConfig> = {}): Promise<UplinkDevice> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-uplink-'));
  const db = openDeviceDb(join(dir, `${DEVICE_ID}.db`));
  const journal = new SqliteTapJournal(db, { capacityTaps: 1_000_000 });
  const running = await startUplink({
    config: {
      url,
      clientId: DEVICE_ID,
      batchSize: 250,
      maxInFlightBatches: 4,
      ackTimeoutMs: 3000,
      heartbeatMs: 30_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 400,
      ...config,
    },
    deviceId: DEVICE_ID,
    profile: 'bus',
    appVersion: 'test',
    journal,
    lists: { meta: () => [] },
    latenciesMs: () => [12, 15, 40],
    clock: new SystemClock(),
    log: pino({ level: process.env['UPLINK_TEST_LOG'] ?? 'silent' }),
  });
  let i = 0;
  const append = (n: number, live = false): number[] => {
    const one = (): number => journal.append(tap(i++), null).seq;
    if (live) return Array.from({ length: n }, () => {
      const seq = one();
      running.tapJournaled(seq);
      return seq;
    });
    return db.atomically(() => Array.from({ length: n }, one));
  };
  return {
    db,
    journal,
    running,
    append,
    close: async () => {
      await running.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
