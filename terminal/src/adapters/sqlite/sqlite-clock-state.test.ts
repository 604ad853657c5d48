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
      return journal.append(tap(1, { wallMs: T0, monoMs: 12.5, bootId: 'b1' }), null);
    });
    expectCode(() => dev.atomically(() => {
      clock.save({ wallMs: T0 + 1000, monoMs: 1012.5, bootId: 'b1' });
      return journal.append(tap(2, { wallMs: T0 + 1000, monoMs: 1012.5, bootId: 'b1' }), null); // JOURNAL_FULL: not persisted
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

describe('SqliteClockStateStore without a write per tap', () => {
  it('persists at most once a minute per boot, and the newest journal row covers the rest', () => {
    const path = tempDbPath();
    const dev = openDeviceDb(path);
    const clock = new SqliteClockStateStore(dev);
    const journal = new SqliteTapJournal(dev, { capacityTaps: 100 });
    for (let i = 0; i < 5; i += 1) {
      const state = { wallMs: T0 + i * 1000, monoMs: i * 1000, bootId: 'b1' };
      dev.atomically(() => {
        clock.save(state);
        return journal.append(tap(i + 1, state), null);
      });
    }
    expect(JSON.parse(dev.getMeta('clock_guard')!)).toEqual({ wallMs: T0, monoMs: 0, bootId: 'b1' });
    dev.close();
    const again = openDeviceDb(path);
    expect(new SqliteClockStateStore(again).load()).toEqual({ wallMs: T0 + 4000, monoMs: 4000, bootId: 'b1' });
    new SqliteTapJournal(again, { capacityTaps: 100 }).ackUpTo(5);
    expect(new SqliteClockStateStore(again).load()).toEqual({ wallMs: T0, monoMs: 0, bootId: 'b1' });
    again.close();
  });
});
