/**
 * GpsError: the GPS adapter's one failure, with a stable code. Mirrors RescardError's shape;
 * it lives here until the code is added to shared/src/errors.ts (docs/adr/0003-gps-and-stops.md).
 * Expected conditions (no fix, stale fix, bad sentences) are values and counters, not errors.
 */
export const GPS_ERROR_CODES = {
  GPS_PORT_FAILURE: 'the GPS serial port could not be opened (wrong path, no permission, device unplugged)',
} as const;

export type GpsErrorCode = keyof typeof GPS_ERROR_CODES;

export class GpsError extends Error {
  override readonly name = 'GpsError';

  constructor(
    readonly code: GpsErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: GpsErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
