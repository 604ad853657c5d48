import { describe, expect, it } from 'vitest';
import { tempDbPath } from './contract-stores.js';
import { T0, expectCode, tap } from './contract-fixtures.js';
import { openDeviceDb } from './open-device-db.js';
import { SqliteClockStateStore } from './sqlite-clock-state.js';
import { SqliteTapJournal } from './sqlite-tap-journal.js';

describe('SqliteClockStateStore', () => {
  it('keeps the last trusted instant across reopen, committed with the tap or not at all', () => {
    const path = tempDbPath();
    const dev = openDeviceDb(path);
    const clock = new SqliteClockStateStore(dev);
    const journal = new SqliteTapJournal(dev, { capacityTaps: 1 });
    expect(clock.load()).toBeNull();
    dev.atomically(() => {
      clock.save({ wallMs: T0, monoMs: 12.5, bootId: 'b1' });
      return journal.append(tap(1), null);
    });
    expectCode(() => dev.atomically(() => {
      clock.save({ wallMs: T0 + 1000, monoMs: 1012.5, bootId: 'b1' });
      return journal.append(tap(2), null); // JOURNAL_FULL: the clock state must not move either
    }), 'JOURNAL_FULL');
    dev.close();
    const again = openDeviceDb(path);
    expect(new SqliteClockStateStore(again).load()).toEqual({ wallMs: T0, monoMs: 12.5, bootId: 'b1' });
    again.setMeta('clock_guard', '{"wallMs":"soon"}');
    expectCode(() => new SqliteClockStateStore(again).load(), 'STORE_FAILURE');
    again.setMeta('clock_guard', 'not json');
    expectCode(() => new SqliteClockStateStore(again).load(), 'STORE_FAILURE');
    again.close();
  });
});
