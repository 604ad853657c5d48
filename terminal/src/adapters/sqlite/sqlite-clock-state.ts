/**
 * ClockStateStore on the device database. The clock guard's last trusted instant is, almost
 * always, the time of the newest journal row (every tap stores its trusted wall time, monotonic
 * time and boot id), so a tap writes nothing extra for it: `save` keeps the state in memory and
 * writes it to device_meta (key `clock_guard`) only when the boot changes or PERSIST_EVERY_MS has
 * passed. `load` takes the newer of that and the newest journal row. What can be missed: after
 * every tap was acknowledged (journal empty), a backwards jump smaller than PERSIST_EVERY_MS
 * across a crash. Call `save` inside DeviceDb.atomically() with the journal append.
 */
import type Database from 'better-sqlite3';
import { RescardError } from '@rescard/shared';
import type { ClockGuardState } from '../../core/clock-guard.js';
import type { ClockStateStore } from '../../ports/clock-state.js';
import type { DeviceDb } from './open-device-db.js';
import { guard } from './store-error.js';

export const CLOCK_STATE_KEY = 'clock_guard';
export const PERSIST_EVERY_MS = 60_000;

interface NewestRow {
  wall_ms: number;
  mono_ms: number;
  boot_id: string;
}

export class SqliteClockStateStore implements ClockStateStore {
  private cached: ClockGuardState | null = null;
  private persisted: ClockGuardState | null = null;
  private readonly newestTap: Database.Statement<[], NewestRow>;

  constructor(private readonly device: DeviceDb) {
    this.newestTap = device.db.prepare<[], NewestRow>('SELECT wall_ms, mono_ms, boot_id FROM journal ORDER BY seq DESC LIMIT 1');
  }

  load(): ClockGuardState | null {
    if (this.cached) return this.cached;
    this.persisted = this.loadPersisted();
    const row = guard('load clock state', () => this.newestTap.get());
    const fromJournal = row ? { wallMs: row.wall_ms, monoMs: row.mono_ms, bootId: row.boot_id } : null;
    this.cached = [this.persisted, fromJournal].reduce<ClockGuardState | null>((a, b) => (b && (!a || b.wallMs > a.wallMs) ? b : a), null);
    return this.cached;
  }

  save(state: ClockGuardState): void {
    this.cached = state;
    const last = this.persisted;
    if (last && last.bootId === state.bootId && state.wallMs - last.wallMs < PERSIST_EVERY_MS) return;
    this.device.setMeta(CLOCK_STATE_KEY, JSON.stringify({ wallMs: state.wallMs, monoMs: state.monoMs, bootId: state.bootId }));
    this.persisted = state;
  }

  private loadPersisted(): ClockGuardState | null {
    const json = this.device.getMeta(CLOCK_STATE_KEY);
    if (json === null) return null;
    const v = guard('load clock state', () => JSON.parse(json) as Partial<ClockGuardState> | null);
    if (typeof v?.wallMs !== 'number' || typeof v.monoMs !== 'number' || typeof v.bootId !== 'string') {
      throw new RescardError('STORE_FAILURE', 'device_meta.clock_guard is corrupt', { key: CLOCK_STATE_KEY });
    }
    return { wallMs: v.wallMs, monoMs: v.monoMs, bootId: v.bootId };
  }
}
