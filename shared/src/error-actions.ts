/**
 * What the operator or technician should do for each error code. Typed as a complete record, so
 * a new code does not compile until it has an action. docs/errors.md is generated from this and
 * ERROR_CODES (`npm run docs:errors`); a test keeps the two in step.
 */
import { ERROR_CODES, type ErrorCode } from './errors.js';

export const ERROR_ACTIONS: Readonly<Record<ErrorCode, string>> = {
  TLV_MALFORMED: 'A card or file sent broken data. If one card keeps doing it, the card is faulty: ask the holder to contact the bank.',
  DOL_MALFORMED: 'The card announced a broken PDOL. Treated as a card fault; report the masked PAN and AID if it recurs.',
  AFL_MALFORMED: 'The card announced broken record locations. Treated as a card fault; report the masked PAN and AID if it recurs.',
  PAN_INVALID: 'Check the input (CSV line, --pan option): a PAN is 12-19 digits. From a card: treat as a card fault.',
  TOKEN_KEY_INVALID: 'Fix tokenKeys in the config: 1-2 keys of at least 32 random bytes, valid kids, primaryKid among them.',
  TRACK2_MALFORMED: 'The card sent broken track 2 data. Treated as a card fault.',
  EXPIRY_INVALID: 'The card sent a broken expiry date. Treated as a card fault.',
  PAR_INVALID: 'Check the PAR input: 29 letters and digits. From a card: treated as a card fault.',
  CARD_NO_APPLICATION: 'The card has no payment application we accept (or it is blocked). The holder should use another card.',
  CARD_REMOVED: 'The card left the field too early. Ask the holder to tap and hold the card until the signal.',
  CARD_TIMEOUT: 'The card answered too slowly or not at all. Tap again; if it recurs, check the reader and the card.',
  CARD_MALFORMED_RESPONSE: 'The card sent data we cannot parse. Tap again; if it recurs, the card is faulty.',
  CARD_STATUS: 'The card refused a step of the read. Tap again; report the masked PAN, AID and status word if it recurs.',
  NO_CARD: 'No card was presented in time. Present the card, or raise --timeout-ms.',
  READER_NOT_FOUND: 'Check that the reader is connected and that pcscd is running (`pcscd`); check --reader.',
  READER_FAILURE: 'The PC/SC stack failed. Restart pcscd; if it recurs, replace the reader.',
  LIST_VERSION_ROLLBACK: 'The list file is older than what the device holds. Load the current list; devices never go back.',
  LIST_BASE_MISMATCH: 'The delta is for another version. Load the full snapshot, or the delta for the version the device holds.',
  LIST_FILE_INVALID: 'The list file is damaged, unsigned, expired, forged or for another audience. Fetch it again from the server.',
  JOURNAL_FULL: 'The device has too many undelivered taps and refuses new ones. Restore its network so the journal drains.',
  STORE_FAILURE: 'The device database failed. Check the disk; replace the device if the database is corrupt (taps are safe in the journal until then).',
  OSDP_FRAME_INVALID: 'Noise on the RS-485 line: check wiring, termination and baud rate; the packet was dropped and counted.',
  OSDP_MESSAGE_INVALID: 'The peripheral sent something the spec forbids: check its firmware version; the reply was ignored.',
  OSDP_SC_FAILED: 'Check that the terminal and the peripheral share the same SCBK; a tampered line also looks like this.',
  OSDP_INSTALL_MODE_REFUSED: 'Install mode (default key) is for the bench: provision the site key with KEYSET there, then configure osdp.scbkHex.',
  OSDP_KEY_INVALID: 'Fix osdp.scbkHex: 32 hex digits (AES-128).',
  OSDP_PD_OFFLINE: 'Check the peripheral\'s power and the RS-485 line; taps are still decided and recorded, the heartbeat carries the alarm.',
  OSDP_NAK: 'The peripheral refused a command: check its capabilities (PDCAP) and configuration.',
  OSDP_PORT_FAILURE: 'Check osdp.port (device path, permissions, the adapter plugged in).',
  OSDP_QUEUE_FULL: 'The line or the peripheral is too slow for the command rate: check the baud rate and the peripheral.',
  OSDP_STOPPED: 'The terminal is shutting down; nothing to do.',
  GPS_PORT_FAILURE: 'Check gps.port (device path, permissions, the receiver plugged in); taps are flagged NO_FIX meanwhile.',
  MQTT_UNAVAILABLE: 'The uplink is down: taps stay in the journal (on a gateway: in its outbox) and are sent when the gateway or server is reachable again.',
  PROTOCOL_INVALID: 'A peer sent a message we do not understand; it was rejected and counted. Check the peer\'s version and the logged reason.',
  SERVER_STORE_FAILURE: 'Check the disk of the server\'s data folder (space, errors) and the log; devices keep unacknowledged taps and resend them once the server commits again.',
  GATEWAY_STORE_FAILURE: 'Check the disk of the gateway\'s data folder (space, errors) and the log; terminals keep unacknowledged taps and resend them once the gateway commits again.',
  REQUEST_INVALID: 'Fix the request: the message names the parameter or the missing resource.',
  CA_UNAVAILABLE: 'Run `rescard ca init` on the server (or restore ca/ from the backup), check the files\' permissions, and restart.',
  PKI_STORE_FAILURE: 'Check the disk of the server\'s data folder (space, errors) and the log; retry the request once it is fixed.',
  ENROLMENT_TOKEN_UNKNOWN: 'Check the token was copied whole; otherwise ask for a new enrolment token.',
  ENROLMENT_TOKEN_USED: 'Ask for a new enrolment token. If you did not use this one, someone else may have: revoke the device and report it.',
  ENROLMENT_TOKEN_EXPIRED: 'Ask for a new enrolment token and enrol before it expires.',
  CSR_INVALID: 'Use `rescard-terminal enroll` / `rescard-gateway enroll`, which make a valid request; do not edit the device id.',
  DEVICE_ACTIVE: 'Revoke the old device (POST /api/devices/:id/revoke) first, then create the enrolment token again.',
  DEVICE_REVOKED: 'The device was taken out of service. Enrol it again with a new token if it should come back.',
  CERTIFICATE_REFUSED: 'Enrol the device again with a new enrolment token (its certificate expired or was revoked).',
  ENROLMENT_FAILED: 'Check the --server URL and the network to the server, then run enroll again with the same token (or renew again: the device keeps its current certificate).',
  IMPORT_INVALID: 'Fix the lines listed in the error (line number and reason; see docs/imports.md for the columns) and upload the whole file again.',
  IMPORT_TOO_LARGE: 'Split the registry by school (rosters, canteen) or ask the administrator to raise the import size limit; the holders file must stay whole.',
  REGISTRY_STORE_FAILURE: 'Check the disk of the server\'s data folder (space, errors) and the log; then repeat the import or stop-list change (repeating is safe).',
  AUTH_REQUIRED: 'Log in (POST /api/auth/login) or create an API token, and send it as `Authorization: Bearer <token>`.',
  AUTH_INVALID: 'Check the username and password, or log in again / ask an administrator for a new API token (sessions expire; revoked tokens stay revoked).',
  FORBIDDEN: 'Use an account whose role and schools/carriers/routes cover this request, or ask an administrator to extend yours (docs/auth.md lists the actions per role).',
  RATE_LIMITED: 'Wait for the number of seconds in the Retry-After header, then try again; repeated failed logins may mean someone is guessing the password.',
  AUTH_STORE_FAILURE: 'Check the disk of the server\'s data folder (space, errors) and the log; retry once it is fixed (the audit log is append-only: never edit auth.db by hand).',
  SERVER_UNREACHABLE: 'Check --server / RESCARD_SERVER, that rescard-server is running, and the network or proxy; then run the command again.',
  CONFIG_INVALID: 'Fix the configuration field named in the message and restart.',
};

/** The Markdown table of docs/errors.md. */
export function errorsMarkdown(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => `| \`${code}\` | ${ERROR_CODES[code]} | ${ERROR_ACTIONS[code]} |`);
  return [
    '# Error codes',
    '',
    'One catalogue for every rescard program (`shared/src/errors.ts`, `shared/src/error-actions.ts`).',
    'Errors print as `CODE: message`; JSON outputs carry `{"error":{"code","message"}}`. Expected',
    'outcomes (a denied tap) are not errors: they are decisions with reason codes (`terminal/src/core/reasons.ts`).',
    'Generated by `npm run docs:errors`; do not edit by hand.',
    '',
    '| code | meaning | what to do |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
