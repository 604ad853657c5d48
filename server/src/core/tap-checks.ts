/**
 * Checks on a tap as the server stores it. Pure.
 *
 * Late: the tap reached the server more than `lateAfterMs` after the device's wall clock said it
 * happened (a bus out of coverage, a gateway's backlog). A late tap is still a valid tap; the flag
 * lets reports and operators see how fresh the data is.
 */
import { RescardError } from '@rescard/shared';

/** First 6 and last 4 digits with the middle masked: the only card number the server may hold. */
const MASKED_PAN = /^\d{6}\*{2,9}\d{4}$/;

export function isLate(wallMs: number, receivedAtMs: number, lateAfterMs: number): boolean {
  return receivedAtMs - wallMs > lateAfterMs;
}

/** Defence in depth behind the schema: a full PAN must never reach the database. */
export function assertMaskedPan(panMasked: string): void {
  if (!MASKED_PAN.test(panMasked)) {
    throw new RescardError('PROTOCOL_INVALID', 'panMasked is not a masked PAN (6 digits, 2-9 *, 4 digits)', { length: panMasked.length });
  }
}
