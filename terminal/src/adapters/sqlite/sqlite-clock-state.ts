/**
 * ClockStateStore on the device database: the clock guard's last trusted instant as JSON in
 * device_meta (key `clock_guard`). Save it inside DeviceDb.atomically() with the journal append
 * so the state never runs ahead of the journal.
 */
import { RescardError } from '@rescard/shared';
import type { ClockGuardState } from '../../core/clock-guard.js';
import type { ClockStateStore } from '../../ports/clock-state.js';
import type { DeviceDb } from './open-device-db.js';
import { guard } from './store-error.js';

export const CLOCK_STATE_KEY = 'clock_guard';

export class SqliteClockStateStore implements ClockStateStore {
  constructor(private readonly device: DeviceDb) {}

  load(): ClockGuardState | null {
    const json = this.device.getMeta(CLOCK_STATE_KEY);
    if (json === null) return null;
    const v = guard('load clock state', () => JSON.parse(json) as Partial<ClockGuardState> | null);
    if (typeof v?.wallMs !== 'number' || typeof v.monoMs !== 'number' || typeof v.bootId !== 'string') {
      throw new RescardError('STORE_FAILURE', 'device_meta.clock_guard is corrupt', { key: CLOCK_STATE_KEY });
    }
    return { wallMs: v.wallMs, monoMs: v.monoMs, bootId: v.bootId };
  }

  save(state: ClockGuardState): void {
    this.device.setMeta(CLOCK_STATE_KEY, JSON.stringify({ wallMs: state.wallMs, monoMs: state.monoMs, bootId: state.bootId }));
  }
}
