/**
 * Where the clock guard's last trusted instant is kept, so that a clock that jumps backwards
 * across a restart is still caught. The SQLite adapter keeps it in the device database.
 */
import type { ClockGuardState } from '../core/clock-guard.js';

export interface ClockStateStore {
  load(): ClockGuardState | null;
  save(state: ClockGuardState): void;
}

export class FakeClockStateStore implements ClockStateStore {
  constructor(private state: ClockGuardState | null = null) {}

  load(): ClockGuardState | null {
    return this.state;
  }

  save(state: ClockGuardState): void {
    this.state = state;
  }
}
