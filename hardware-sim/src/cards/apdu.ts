/**
 * Command APDU parsing and response building for the virtual cards (ISO/IEC 7816-4, short
 * length fields only: EMV contactless never uses extended lengths).
 */

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data field (empty for case 1 and 2). */
  readonly data: Buffer;
  /** Le byte as sent (0x00 means 256), undefined when the command has no Le (case 1 and 3). */
  readonly le: number | undefined;
}

/** Status words the cards use, named as in ISO/IEC 7816-4 and EMV Book 1/3. */
export const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  INS_NOT_SUPPORTED: 0x6d00,
} as const;

export const INS = {
  SELECT: 0xa4,
  READ_RECORD: 0xb2,
  GET_RESPONSE: 0xc0,
  GET_PROCESSING_OPTIONS: 0xa8,
  GENERATE_AC: 0xae,
  GET_DATA: 0xca,
} as const;

/** Parse a short command APDU; undefined when the length fields are inconsistent. */
export function parseCommand(apdu: Uint8Array): CommandApdu | undefined {
  if (apdu.length < 4) return undefined;
  const bytes = Buffer.from(apdu);
  const header = { cla: bytes[0]!, ins: bytes[1]!, p1: bytes[2]!, p2: bytes[3]! };
  if (bytes.length === 4) return { ...header, data: Buffer.alloc(0), le: undefined };
  if (bytes.length === 5) return { ...header, data: Buffer.alloc(0), le: bytes[4]! };
  const lc = bytes[4]!;
  if (lc === 0) return undefined; // extended length: not used by EMV contactless
  const data = bytes.subarray(5, 5 + lc);
  if (bytes.length === 5 + lc) return { ...header, data, le: undefined };
  if (bytes.length === 6 + lc) return { ...header, data, le: bytes[5 + lc]! };
  return undefined;
}

/** Response APDU: data (may be empty) followed by SW1 SW2. */
export function respond(sw: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(data), Buffer.from([(sw >> 8) & 0xff, sw & 0xff])]);
}

/** The status word of a response (0 when the response is shorter than two bytes). */
export function statusWord(response: Uint8Array): number {
  if (response.length < 2) return 0;
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}

/** The data part of a response, without SW1 SW2. */
export function responseData(response: Uint8Array): Buffer {
  return Buffer.from(response.subarray(0, Math.max(0, response.length - 2)));
}
