import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';

describe('reconnectDelayMs', () => {
  const o = { minMs: 500, maxMs: 30_000 };
  it('doubles from minMs, is capped at maxMs, and jitters within [d/2, d]', () => {
    expect([0, 1, 2, 3].map((a) => reconnectDelayMs(a, o, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(reconnectDelayMs(50, o, () => 1)).toBe(30_000);
    expect(reconnectDelayMs(50, o, () => 0)).toBe(15_000);
    expect(reconnectDelayMs(1e9, o, () => 0.5)).toBe(22_500);
  });
});
