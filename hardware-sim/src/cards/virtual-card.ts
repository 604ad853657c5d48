/**
 * VirtualCard: what the simulator presents to a reader. Transport-agnostic: the vpcd client
 * puts it on the real PC/SC stack; tests can call it in-process.
 */

export interface VirtualCard {
  /** Answer To Reset as the reader reports it. */
  readonly atr: Buffer;
  /**
   * Answer one command APDU with a response APDU (data + SW1 SW2). A promise resolving to null
   * means "stay silent": the card never answers this command (the reader times out or the card
   * is taken away).
   */
  transmit(apdu: Buffer): Buffer | Promise<Buffer | null>;
  /** Power-on / reset / new tap: forget the session state (selected application, replay position). */
  reset?(): void;
  /**
   * Fault cards set this once they have "left the field" (e.g. removal mid-read): the host must
   * send the last response, then drop the connection and deliver nothing more.
   */
  readonly removed?: boolean;
}

/**
 * ATR of a contactless ISO/IEC 14443-4 card as a PC/SC reader builds it (PC/SC Part 3,
 * section 3.1.3.2.3.1): 3B 8n 80 01 + historical bytes + TCK. Here with no historical bytes:
 *   3B  TS, direct convention
 *   80  T0: TD1 follows, 0 historical bytes
 *   80  TD1: TD2 follows, protocol T=0 indicated
 *   01  TD2: protocol T=1
 *   01  TCK: XOR of T0..TD2
 * nfc-pcsc (Reader.selectStandardByAtr) classes an ATR as ISO 14443-3 only when byte 5 is 0x4F
 * (a storage card such as MIFARE); this ATR has no byte 5, so it is TAG_ISO_14443_4. pcscd
 * parses it as T=1 only.
 */
export const CONTACTLESS_ATR: Buffer = Buffer.from('3B80800101', 'hex');

/** TCK check for ATRs built or read by the simulator: XOR of every byte after TS is 0. */
export function atrChecksumOk(atr: Uint8Array): boolean {
  let x = 0;
  for (let i = 1; i < atr.length; i += 1) x ^= atr[i]!;
  return atr.length >= 2 && x === 0;
}
