/**
 * The clock guard: turns raw clock readings into TrustedTime. Pure; the caller persists `next`
 * (e.g. with every journal write) and passes it back with the next reading, also after a reboot.
 *
 * - Within one boot (same bootId) the monotonic clock is the reference: the wall clock should
 *   read about prev.wallMs + (monoMs − prev.monoMs). A wall clock behind that by more than
 *   `toleranceMs` jumped backwards: clockFault, and the trusted wall time is the extrapolated
 *   one. Smaller backward steps (NTP slew) are absorbed: trusted time never goes back.
 *   Forward jumps are accepted (setting a slow RTC right is normal) and are harmless to short
 *   windows because those use monotonic time.
 * - Across boots (different bootId, monotonic clock restarted) only the persisted last trusted
 *   wall time is known: a reading behind it by more than the tolerance is a fault and the
 *   trusted time stays at the persisted value, then advances with the new boot's monotonic clock.
 * - A wall clock before `floorMs` (default 2024-01-01) is an unset RTC: fault.
 */
import type { TrustedTime } from './model.js';

export interface ClockReading {
  readonly wallMs: number;
  readonly monoMs: number;
  readonly bootId: string;
}

/** The last trusted instant: what the caller persists between readings and across reboots. */
export type ClockGuardState = ClockReading;

/** Wall clocks before 2024-01-01T00:00Z are an unset real-time clock. */
export const SANE_FLOOR_MS = Date.UTC(2024, 0, 1);

export interface TrustResult {
  readonly time: TrustedTime;
  readonly next: ClockGuardState;
}

export function trustTime(
  prev: ClockGuardState | null,
  reading: ClockReading,
  toleranceMs: number,
  floorMs: number = SANE_FLOOR_MS,
): TrustResult {
  const sameBoot = prev !== null && prev.bootId === reading.bootId;
  // The earliest wall time we can vouch for now.
  let expected: number | null = null;
  if (prev !== null) {
    expected = sameBoot ? prev.wallMs + Math.max(0, reading.monoMs - prev.monoMs) : prev.wallMs;
  }

  let wallMs = reading.wallMs;
  let clockFault = false;
  if (reading.wallMs < floorMs) {
    clockFault = true;
    wallMs = Math.max(expected ?? floorMs, floorMs);
  } else if (expected !== null && reading.wallMs < expected - toleranceMs) {
    clockFault = true;
    wallMs = expected;
  } else if (prev !== null && wallMs < prev.wallMs) {
    // A small step back within tolerance: hold, never go back.
    wallMs = prev.wallMs;
  }

  const time: TrustedTime = { wallMs, monoMs: reading.monoMs, bootId: reading.bootId, clockFault };
  return { time, next: { wallMs, monoMs: reading.monoMs, bootId: reading.bootId } };
}

/** Anything stamped with both clocks: a usage event, a trusted time. */
export interface Stamped {
  readonly wallMs: number;
  readonly monoMs: number;
  readonly bootId: string;
}

/**
 * Time elapsed from `earlier` to `now` for short windows (repeat, companion): monotonic when
 * both share a boot, trusted wall time otherwise. Never negative.
 */
export function elapsedMs(earlier: Stamped, now: Stamped): number {
  const delta = earlier.bootId === now.bootId ? now.monoMs - earlier.monoMs : now.wallMs - earlier.wallMs;
  return Math.max(0, delta);
}
