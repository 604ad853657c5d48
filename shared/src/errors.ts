/**
 * The one error class of rescard, with stable string codes.
 *
 * Expected outcomes (a denied tap, a card with no supported application) are values where the
 * caller can act on them; this class is for failures. Every code is documented in
 * docs/errors.md (code, meaning, what the operator should do). Adapters translate library
 * errors (nfc-pcsc, better-sqlite3, serialport) into these codes at the boundary.
 */
export const ERROR_CODES = {
  // shared: encodings
  TLV_MALFORMED: 'BER-TLV data is truncated or not well-formed',
  DOL_MALFORMED: 'a data object list (PDOL, CDOL) is not well-formed',
  AFL_MALFORMED: 'an application file locator is not a list of 4-byte entries with valid SFIs',
  PAN_INVALID: 'a PAN is not 12 to 19 decimal digits',
  TOKEN_KEY_INVALID: 'a card-token key is missing, too short, or its kid is not usable',
  TRACK2_MALFORMED: 'track 2 equivalent data (57) lacks the D separator, expiry or service code',
  EXPIRY_INVALID: 'a card expiry date (5F24 or track 2) is not BCD YYMM(DD) with a month 01-12',
  PAR_INVALID: 'a Payment Account Reference is not 29 alphanumeric characters',
  // terminal: card path
  CARD_NO_APPLICATION: 'the card offers no application this terminal accepts, or refused them all',
  CARD_REMOVED: 'the card left the reader before the read finished',
  CARD_TIMEOUT: 'the card did not finish the read within the whole-read timeout',
  CARD_MALFORMED_RESPONSE: 'the card answered with data that cannot be parsed or lacks the PAN',
  CARD_STATUS: 'the card answered a command with an unexpected status word',
  NO_CARD: 'no card was presented within the wait',
  READER_NOT_FOUND: 'no PC/SC reader (or not the one named) appeared in time',
  READER_FAILURE: 'the PC/SC stack reported an error',
  // terminal: lists, store, journal
  LIST_VERSION_ROLLBACK: 'a list snapshot is not newer than the version already applied',
  LIST_BASE_MISMATCH: 'a list delta does not apply on the version the device holds',
  LIST_FILE_INVALID: 'a list file is malformed, unsigned when a signature is required, or for another audience',
  JOURNAL_FULL: 'the tap journal is at capacity: taps are refused until the uplink drains it',
  STORE_FAILURE: 'the device database failed (disk, corruption, schema)',
  // terminal: serial peripherals (OSDP, SIA OSDP 2.2) and GPS
  OSDP_FRAME_INVALID: 'an OSDP packet is malformed: bad length, bad check character, or reserved fields set',
  OSDP_MESSAGE_INVALID: 'an OSDP command or reply has a data length or field value the specification does not allow',
  OSDP_SC_FAILED: 'the OSDP Secure Channel failed: wrong key (cryptogram mismatch), bad MAC, or undecryptable data',
  OSDP_INSTALL_MODE_REFUSED: 'the default key SCBK-D (install mode) was asked for outside the bench',
  OSDP_KEY_INVALID: 'an OSDP Secure Channel Base Key is not 16 bytes',
  OSDP_PD_OFFLINE: 'the OSDP peripheral did not answer within the timeout after the retries, or is offline',
  OSDP_NAK: 'the OSDP peripheral refused the command (osdp_NAK with a reason)',
  OSDP_PORT_FAILURE: 'the OSDP serial port could not be opened, written or closed',
  OSDP_QUEUE_FULL: 'too many OSDP commands are waiting for the bus; the newest was refused',
  OSDP_STOPPED: 'the OSDP control panel was stopped before the command was sent',
  GPS_PORT_FAILURE: 'the GPS serial port could not be opened (wrong path, no permission, device unplugged)',
  MQTT_UNAVAILABLE: 'the MQTT broker (gateway or server) is not connected, unreachable, or refused the message',
  // sync protocol
  PROTOCOL_INVALID: 'an MQTT topic or payload is not valid protocol v1 (bad JSON, schema, version or size)',
  // server
  SERVER_STORE_FAILURE: 'the server database (server.db) failed (disk, corruption, schema): nothing of the failed commit was acknowledged',
  // gateway
  GATEWAY_STORE_FAILURE: 'the gateway database (gateway.db) failed (disk, corruption, schema): nothing of the failed commit was acknowledged',
  REQUEST_INVALID: 'an HTTP API request has invalid parameters or names something that does not exist',
  // server: device PKI and enrolment
  CA_UNAVAILABLE: 'the project CA is missing from the data folder (ca/ca.key, ca/ca.crt) or cannot be read',
  PKI_STORE_FAILURE: 'the device registry database (pki/pki.db) failed (disk, corruption, schema): nothing of the failed change was applied',
  ENROLMENT_TOKEN_UNKNOWN: 'an enrolment token is not one the server issued',
  ENROLMENT_TOKEN_USED: 'an enrolment token was already used: tokens are one-time',
  ENROLMENT_TOKEN_EXPIRED: 'an enrolment token is past its expiry',
  CSR_INVALID: 'a certificate signing request is malformed, not RSA of at least 2048 bits, its signature does not verify, or its CN is not the enrolled device id',
  DEVICE_ACTIVE: 'the device id is enrolled and active: revoke it before enrolling a replacement under the same id',
  DEVICE_REVOKED: 'the device is revoked: it gets no certificate and no connection',
  CERTIFICATE_REFUSED: 'a device certificate offered for renewal is not from the project CA, expired, revoked or not the device\'s, or the proof of possession failed',
  ENROLMENT_FAILED: 'a device could not enrol or renew its certificate: the server was unreachable or its answer did not hold (wrong device, key or CA)',
  // server: registries (imports, stop-list)
  IMPORT_INVALID: 'a CSV import has errors (each with its line number and reason): nothing of the file was applied',
  IMPORT_TOO_LARGE: 'an uploaded import file is larger than the server accepts: nothing was applied',
  REGISTRY_STORE_FAILURE: 'the registry database (registry/registry.db) failed (disk, corruption, schema): nothing of the failed change was recorded',
  // server: operator access (docs/auth.md)
  AUTH_REQUIRED: 'an HTTP API request carries no `Authorization: Bearer <token>` header (HTTP 401)',
  AUTH_INVALID: 'a login, session token or API token is wrong, unknown, expired, revoked, or its account is disabled (HTTP 401)',
  FORBIDDEN: 'the account\'s role or scope (its schools, carriers or routes) does not allow this request (HTTP 403)',
  RATE_LIMITED: 'too many attempts (failed logins per username or requests per address) within the window (HTTP 429, see Retry-After)',
  AUTH_STORE_FAILURE: 'the accounts and audit database (auth/auth.db) failed (disk, corruption, schema): nothing of the failed change was recorded',
  // admin CLI (docs/cli.md)
  SERVER_UNREACHABLE: "the admin CLI could not reach the server, or it did not answer with the API's JSON (or a report stopped before its end)",
  // any program
  CONFIG_INVALID: 'a configuration file or option is invalid',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class RescardError extends Error {
  override readonly name = 'RescardError';
  readonly code: ErrorCode;
  /** Structured, PAN-free details for logs and JSON output. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isRescardError(err: unknown, code?: ErrorCode): err is RescardError {
  return err instanceof RescardError && (code === undefined || err.code === code);
}
