/**
 * FakeCardReader: an in-process CardReader for unit tests of the code above the port. A test
 * presents any object with `transmit` (the simulator's VirtualCard fits) and the reader runs
 * the handler on it, as PcscCardReader does for a real card.
 */
import { RescardError } from '@rescard/shared';
import type { CardReader, CardSession } from './card-reader.js';

export interface FakeCard {
  readonly atr: Buffer;
  transmit(apdu: Buffer): Buffer | Promise<Buffer | null>;
  reset?(): void;
}

export class FakeCardReader implements CardReader {
  private handler: ((session: CardSession) => Promise<void>) | null = null;
  private current: FakeSession | null = null;

  constructor(readonly readerName = 'Fake Reader 00') {}

  start(onCard: (session: CardSession) => Promise<void>): Promise<void> {
    this.handler = onCard;
    return Promise.resolve();
  }

  /** Present a card (on a named reader of this fake, default its own); resolves when handled. */
  async present(card: FakeCard, readerName = this.readerName): Promise<void> {
    if (!this.handler) throw new Error('FakeCardReader: start() was not called');
    card.reset?.();
    this.current = new FakeSession(readerName, card);
    await this.handler(this.current);
  }

  /** Take the current card away: pending and later transmits fail with CARD_REMOVED. */
  remove(): void {
    this.current?.markRemoved();
  }

  readers(): string[] {
    return this.handler ? [this.readerName] : [];
  }

  stop(): Promise<void> {
    this.handler = null;
    return Promise.resolve();
  }
}

class FakeSession implements CardSession {
  private gone = false;
  readonly atr: Buffer;

  constructor(
    readonly readerName: string,
    private readonly card: FakeCard,
  ) {
    this.atr = card.atr;
  }

  get removed(): boolean {
    return this.gone;
  }

  markRemoved(): void {
    this.gone = true;
  }

  async transmit(command: Buffer): Promise<Buffer> {
    if (this.gone) throw new RescardError('CARD_REMOVED', 'the card left the reader', { reader: this.readerName });
    const response = await this.card.transmit(command);
    if (response === null) return new Promise<Buffer>(() => undefined); // a silent card never answers
    return response;
  }
}
