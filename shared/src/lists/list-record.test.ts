import { describe, expect, it } from 'vitest';
import { isLocalDate } from './list-record.js';

/** The definition the arithmetic check replaced: what Date round-trips. */
function byDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

describe('isLocalDate', () => {
  it('agrees with a Date round trip on every day-of-month 00-32 of leap, century and ordinary years', () => {
    for (const year of ['0000', '1900', '2000', '2024', '2025', '2100', '9999']) {
      for (let m = 0; m <= 13; m += 1) {
        for (let d = 0; d <= 32; d += 1) {
          const v = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isLocalDate(v), v).toBe(byDate(v));
        }
      }
    }
  });

  it('refuses other shapes', () => {
    for (const v of ['2025-1-01', '2025-01-1', '25-01-01', '2025-01-01T00:00', ' 2025-01-01', '2025/01/01', '２０２５-01-01', '']) {
      expect(isLocalDate(v), v).toBe(false);
    }
  });
});
