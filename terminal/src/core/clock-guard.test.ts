import { describe, expect, it } from 'vitest';
import { SANE_FLOOR_MS, elapsedMs, trustTime, type ClockReading } from './clock-guard.js';

const T0 = Date.UTC(2025, 2, 14, 5, 0);
const r = (wallMs: number, monoMs: number, bootId = 'b1'): ClockReading => ({ wallMs, monoMs, bootId });

describe('clock guard', () => {
  it('first reading with a sane clock is trusted as is', () => {
    const { time, next } = trustTime(null, r(T0, 1000), 2000);
    expect(time).toEqual({ wallMs: T0, monoMs: 1000, bootId: 'b1', clockFault: false });
    expect(next).toEqual({ wallMs: T0, monoMs: 1000, bootId: 'b1' });
  });

  it('same boot: a backward jump beyond tolerance is a fault; trusted = prev wall + monotonic elapsed', () => {
    const prev = trustTime(null, r(T0, 1000), 2000).next;
    const { time, next } = trustTime(prev, r(T0 - 3_600_000, 31_000), 2000);
    expect(time).toMatchObject({ wallMs: T0 + 30_000, clockFault: true });
    // The next reading, still behind, keeps extrapolating and stays flagged.
    const again = trustTime(next, r(T0 - 3_600_000 + 10_000, 41_000), 2000);
    expect(again.time).toMatchObject({ wallMs: T0 + 40_000, clockFault: true });
    // Once the wall clock is set right, the fault clears.
    expect(trustTime(again.next, r(T0 + 50_000, 51_000), 2000).time).toMatchObject({ wallMs: T0 + 50_000, clockFault: false });
  });

  it('same boot: a step back within tolerance is absorbed, never going back', () => {
    const prev = trustTime(null, r(T0, 1000), 2000).next;
    const { time } = trustTime(prev, r(T0 - 1500, 1100), 2000);
    expect(time).toMatchObject({ wallMs: T0, clockFault: false });
  });

  it('tolerance edge: exactly the tolerance behind is fine, 1 ms more is a fault', () => {
    const prev = trustTime(null, r(T0, 0), 2000).next;
    expect(trustTime(prev, r(T0 + 10_000 - 2000, 10_000), 2000).time.clockFault).toBe(false);
    expect(trustTime(prev, r(T0 + 10_000 - 2001, 10_000), 2000).time.clockFault).toBe(true);
  });

  it('forward jumps are accepted', () => {
    const prev = trustTime(null, r(T0, 0), 2000).next;
    expect(trustTime(prev, r(T0 + 7_200_000, 1000), 2000).time).toMatchObject({ wallMs: T0 + 7_200_000, clockFault: false });
  });

  it('across boots the persisted wall time is the floor', () => {
    const prev = trustTime(null, r(T0, 500_000, 'b1'), 2000).next;
    expect(trustTime(prev, r(T0 + 60_000, 5_000, 'b2'), 2000).time).toMatchObject({ wallMs: T0 + 60_000, clockFault: false });
    const back = trustTime(prev, r(T0 - 600_000, 5_000, 'b2'), 2000);
    expect(back.time).toMatchObject({ wallMs: T0, bootId: 'b2', clockFault: true });
    // ... then time advances with the new boot's monotonic clock.
    expect(trustTime(back.next, r(T0 - 590_000, 15_000, 'b2'), 2000).time).toMatchObject({ wallMs: T0 + 10_000, clockFault: true });
  });

  it('a wall clock before the sane floor (unset RTC) is a fault', () => {
    expect(trustTime(null, r(86_400_000, 1000), 2000).time).toMatchObject({ wallMs: SANE_FLOOR_MS, clockFault: true });
    const prev = trustTime(null, r(T0, 0, 'b1'), 2000).next;
    expect(trustTime(prev, r(1000, 20, 'b2'), 2000).time).toMatchObject({ wallMs: T0, clockFault: true });
  });

  it('elapsed time is monotonic within a boot, wall time across boots, never negative', () => {
    const ev = { wallMs: T0, monoMs: 10_000, bootId: 'b1' };
    expect(elapsedMs(ev, { wallMs: T0 + 7_200_000, monoMs: 40_000, bootId: 'b1' })).toBe(30_000);
    expect(elapsedMs(ev, { wallMs: T0 + 45_000, monoMs: 2_000, bootId: 'b2' })).toBe(45_000);
    expect(elapsedMs(ev, { wallMs: T0 - 5_000, monoMs: 2_000, bootId: 'b2' })).toBe(0);
  });
});
