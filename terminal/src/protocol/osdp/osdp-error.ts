/**
 * OsdpError: the failures of the OSDP codec, secure channel and control panel, with stable codes.
 * A RescardError with the OSDP codes, which live in the one catalogue (shared/src/errors.ts).
 */
import { RescardError, type ErrorCode } from '@rescard/shared';

/** The OSDP codes of the catalogue. */
export type OsdpErrorCode = Extract<ErrorCode, `OSDP_${string}`>;

/** A RescardError restricted to this adapter's codes (one catalogue: shared/src/errors.ts). */
export class OsdpError extends RescardError {
  constructor(code: OsdpErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

export function isOsdpError(err: unknown, code?: OsdpErrorCode): err is OsdpError {
  return err instanceof OsdpError && (code === undefined || err.code === code);
}
