/**
 * CardReader: the seam between the terminal and a contactless reader.
 *
 * The adapter (PcscCardReader over nfc-pcsc) delivers raw APDU exchange with a card that is
 * present; everything EMV lives above it. Status-word transport rules (61xx GET RESPONSE,
 * 6Cxx resend with Le) are applied by `withTransportRules` so that every adapter and fake
 * gets them the same way.
 */

export interface CardSession {
  /** Reader the card was presented on. */
  readonly readerName: string;
  /** Answer To Reset bytes as reported by PC/SC. */
  readonly atr: Buffer;
  /**
   * Send one command APDU, resolve with the full response including SW1 SW2.
   * Rejects with RescardError CARD_REMOVED when the card has left, READER_FAILURE otherwise.
   */
  transmit(command: Buffer): Promise<Buffer>;
  /** True once the reader reported the card gone. */
  readonly removed: boolean;
}

export interface CardReader {
  /**
   * Call `onCard` for every card presented, one at a time per reader. Resolves once the
   * reader layer is listening. The handler's promise is awaited before the next card on the
   * same reader is handled.
   */
  start(onCard: (session: CardSession) => Promise<void>): Promise<void>;
  /** Names of the readers currently attached. */
  readers(): string[];
  stop(): Promise<void>;
}
