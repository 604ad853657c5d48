/**
 * PAN helpers for the simulator's own output: the shared ones (even test PANs are printed only
 * masked, first 6 + last 4, so console output looks like the product's), plus a shape check.
 */
export { luhnValid, maskPan } from '@rescard/shared';

/** A PAN is 12 to 19 decimal digits (ISO/IEC 7812-1). */
export function isPanShaped(pan: string): boolean {
  return /^\d{12,19}$/.test(pan);
}
