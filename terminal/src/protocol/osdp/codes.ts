/**
 * OSDP numbers (SIA OSDP 2.2 / IEC 60839-11-5). Section numbers below are those of OSDP 2.2 as
 * the SIA "OSDP Verified" test list cites them: 5.9 packet format, 6.x commands, 7.x replies,
 * Annex A codes, Annex B capabilities, Annex C check characters, Annex D Secure Channel.
 * Every value is cross-checked against libosdp (goToMain/libosdp, src/osdp_common.h).
 */

/** 5.9, 5.10: start of message. */
export const SOM = 0x53;
/** 5.7: an optional marking byte a sender may put before SOM; the parser skips it. */
export const MARK = 0xff;
/** 5.9: the configuration (broadcast) address; 0x00-0x7E are PD addresses. */
export const BROADCAST_ADDRESS = 0x7f;
/** 5.9: bit 7 of ADDR is set on every reply (PD to CP). */
export const REPLY_FLAG = 0x80;
/** 5.6: every device accepts at least 128 bytes; none need accept more than 1440. */
export const MAX_PACKET_BYTES = 1440;
/** SOM, ADDR, LEN (2), CTRL, CMND/REPLY, CKSUM: the smallest packet (checksum mode). */
export const MIN_PACKET_BYTES = 7;

/** 5.9 Table 1: CTRL bits. Bits 4-7 are not used by this implementation (sent as 0, ignored). */
export const CTRL = { SQN_MASK: 0x03, CRC: 0x04, SCB: 0x08 } as const;

/** Annex A, Table A.1: command codes (CP to PD). */
export const CMD = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  ISTAT: 0x65,
  OSTAT: 0x66,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  TEXT: 0x6b,
  COMSET: 0x6e,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
} as const;

/** Annex A, Table A.2: reply codes (PD to CP). */
export const REPLY = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RAW: 0x50,
  COM: 0x54,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
} as const;

/** 7.3 (Tables 46, 47): NAK error codes. 0 is not a valid reason. */
export const NAK_REASON = {
  CHECK: 0x01,
  LENGTH: 0x02,
  UNKNOWN_COMMAND: 0x03,
  SEQUENCE: 0x04,
  SC_UNSUPPORTED: 0x05,
  SC_CONDITIONS: 0x06,
  BIO_TYPE: 0x07,
  BIO_FORMAT: 0x08,
  RECORD: 0x09,
  GENERIC: 0xff,
} as const;

export type NakReason = (typeof NAK_REASON)[keyof typeof NAK_REASON];

export const NAK_TEXT: Readonly<Record<number, string>> = {
  0x01: 'message check character(s) error',
  0x02: 'command length error',
  0x03: 'unknown command code',
  0x04: 'unexpected sequence number',
  0x05: 'security block not supported',
  0x06: 'communication security conditions not met',
  0x07: 'BIO_TYPE not supported',
  0x08: 'BIO_FORMAT not supported',
  0x09: 'unable to process command record',
  0xff: 'generic error',
};

/** Annex D: security control block types (SEC_BLK_TYPE). */
export const SCS = {
  /** CP->PD osdp_CHLNG. */
  CHLNG: 0x11,
  /** PD->CP osdp_CCRYPT. */
  CCRYPT: 0x12,
  /** CP->PD osdp_SCRYPT. */
  SCRYPT: 0x13,
  /** PD->CP osdp_RMAC_I. */
  RMAC_I: 0x14,
  /** CP->PD, MAC, data not encrypted (no data). */
  CMD_MAC: 0x15,
  /** PD->CP, MAC, data not encrypted (no data). */
  REPLY_MAC: 0x16,
  /** CP->PD, MAC and encrypted data. */
  CMD_MAC_ENC: 0x17,
  /** PD->CP, MAC and encrypted data. */
  REPLY_MAC_ENC: 0x18,
} as const;

/** Annex B, Table B.1: capability function codes carried in osdp_PDCAP (7.5). */
export const CAP_FUNCTION = {
  CONTACT_STATUS: 1,
  OUTPUT_CONTROL: 2,
  CARD_DATA_FORMAT: 3,
  LED_CONTROL: 4,
  AUDIBLE_OUTPUT: 5,
  TEXT_OUTPUT: 6,
  TIME_KEEPING: 7,
  CHECK_CHARACTER: 8,
  COMMUNICATION_SECURITY: 9,
  RECEIVE_BUFFER: 10,
  COMBINED_MESSAGE: 11,
  SMART_CARD: 12,
  READERS: 13,
  BIOMETRICS: 14,
  SECURE_PIN: 15,
  OSDP_VERSION: 16,
} as const;

/** 6.10 (Tables 15-18): LED colours. */
export const LED_COLOR = { black: 0, red: 1, green: 2, amber: 3, blue: 4, magenta: 5, cyan: 6, white: 7 } as const;
export type LedColor = keyof typeof LED_COLOR;
