/**
 * OsdpError: the failures of the OSDP codec, secure channel and control panel, with stable codes.
 * These mirror the shared RescardError (same shape, code + details); they live here until the
 * codes are added to shared/src/errors.ts (see docs/adr/0002-osdp.md for the table).
 */
export const OSDP_ERROR_CODES = {
  OSDP_FRAME_INVALID: 'a packet is malformed: bad length, bad check character, or reserved fields set',
  OSDP_MESSAGE_INVALID: 'a command or reply has a data length or field value the specification does not allow',
  OSDP_SC_FAILED: 'the secure channel failed: wrong key (cryptogram mismatch), bad MAC, or undecryptable data',
  OSDP_INSTALL_MODE_REFUSED: 'the default key SCBK-D (install mode) was asked for without allowInstallMode',
  OSDP_KEY_INVALID: 'a Secure Channel Base Key is not 16 bytes',
  OSDP_PD_OFFLINE: 'the peripheral device did not answer within the timeout after the retries, or is offline',
  OSDP_NAK: 'the peripheral device refused the command (osdp_NAK with a reason)',
  OSDP_PORT_FAILURE: 'the serial port could not be opened, written or closed',
  OSDP_QUEUE_FULL: 'too many commands are waiting for the bus (the PD or the line is too slow); the newest was refused',
  OSDP_STOPPED: 'the control panel was stopped before the command was sent',
} as const;

export type OsdpErrorCode = keyof typeof OSDP_ERROR_CODES;

export class OsdpError extends Error {
  override readonly name = 'OsdpError';

  constructor(
    readonly code: OsdpErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: OsdpErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isOsdpError(err: unknown, code?: OsdpErrorCode): err is OsdpError {
  return err instanceof OsdpError && (code === undefined || err.code === code);
}
