/**
 * GpsError: the GPS adapter's one failure. A RescardError with the GPS codes, which live in the
 * one catalogue (shared/src/errors.ts). Expected conditions (no fix, stale fix, bad sentences)
 * are values and counters, not errors.
 */
import { RescardError, type ErrorCode } from '@rescard/shared';

/** The GPS codes of the catalogue. */
export type GpsErrorCode = Extract<ErrorCode, `GPS_${string}`>;

/** A RescardError restricted to this adapter's codes (one catalogue: shared/src/errors.ts). */
export class GpsError extends RescardError {
  constructor(code: GpsErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
