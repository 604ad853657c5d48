/**
 * PAN helpers for the simulator's own output. Even test PANs are printed only masked
 * (first 6, last 4), so console output and logs look like the product's.
 */

/** "2200000000000004" -> "220000******0004"; anything shorter than 11 characters is fully masked. */
export function maskPan(pan: string): string {
  if (pan.length < 11) return '*'.repeat(pan.length);
  return `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
}

/** Luhn (mod 10) check over a string of decimal digits. */
export function luhnValid(pan: string): boolean {
  if (!/^\d+$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i += 1) {
    let digit = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A PAN is 12 to 19 decimal digits (ISO/IEC 7812-1). */
export function isPanShaped(pan: string): boolean {
  return /^\d{12,19}$/.test(pan);
}
