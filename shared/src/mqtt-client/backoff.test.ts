import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nominalDelayMs, reconnectDelayMs } from './backoff.js';

describe('reconnectDelayMs', () => {
  const o = { minMs: 500, maxMs: 30_000 };

  it('doubles from minMs, is capped at maxMs, and jitters within [d/2, d]', () => {
    expect([0, 1, 2, 3].map((a) => reconnectDelayMs(a, o, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(reconnectDelayMs(50, o, () => 1)).toBe(30_000);
    expect(reconnectDelayMs(50, o, () => 0)).toBe(15_000);
    expect(reconnectDelayMs(1e9, o, () => 0.5)).toBe(22_500);
  });

  it('a negative attempt counts as the first', () => {
    expect(reconnectDelayMs(-3, o, () => 1)).toBe(500);
  });

  it('any attempt and any draw: within [d/2, d] of the nominal delay, which never shrinks and never passes maxMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, minMs, extra, r) => {
        const opts = { minMs, maxMs: minMs + extra };
        const d = nominalDelayMs(attempt, opts);
        const delay = reconnectDelayMs(attempt, opts, () => r);
        expect(d).toBeLessThanOrEqual(opts.maxMs);
        expect(nominalDelayMs(attempt + 1, opts)).toBeGreaterThanOrEqual(d);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2));
        expect(delay).toBeLessThanOrEqual(d);
      }),
    );
  });
});
