/**
 * PcscCardReader: the CardReader port over nfc-pcsc (pcscd via @pokusew/pcsclite).
 *
 * - autoProcessing is off: nfc-pcsc must not send its own APDUs (it would SELECT a fixed AID).
 * - Responses may be long (a PPSE FCI, records with certificates): the response limit is
 *   RESPONSE_MAX_BYTES, comfortably above the 258 bytes nfc-pcsc needs for a short APDU with
 *   256 data bytes and SW.
 * - nfc-pcsc logs whole responses at debug level, and responses carry the PAN: it gets a
 *   logger that drops arguments, never ours.
 * - Library errors are translated here: a transmit on a card that left → CARD_REMOVED,
 *   anything else → READER_FAILURE. Domain code never sees nfc-pcsc error types.
 */
import { RescardError } from '@rescard/shared';
import { NFC, type NfcLogger, type Reader } from 'nfc-pcsc';
import type { Logger } from 'pino';
import type { CardReader, CardSession } from '../../ports/card-reader.js';

export const RESPONSE_MAX_BYTES = 4096;

// 0x80100069 removed, 0x80100017 reader unavailable, 0x80100016 not transacted (the card left the
// field mid-APDU; also what vpcd reports once the virtual card's socket is gone), 0x80100068 reset.
const REMOVED = /removed|reset|0x80100069|0x80100017|0x80100016|0x80100068/i;

export interface PcscCardReaderOptions {
  /** Only this reader (exact name or substring); any reader when absent. */
  readonly readerName?: string;
  readonly log: Logger;
}

export class PcscCardReader implements CardReader {
  private nfc: NFC | null = null;
  private stopping = false;
  private readonly attached = new Map<string, Reader>();
  private readonly log: Logger;

  constructor(private readonly options: PcscCardReaderOptions) {
    this.log = options.log.child({ module: 'pcsc' });
  }

  start(onCard: (session: CardSession) => Promise<void>): Promise<void> {
    const nfc = new NFC(quietLogger(this.log, () => this.stopping));
    this.nfc = nfc;
    // Closing cancels pcsclite's status wait, which it reports as an error: expected then.
    nfc.on('error', (err) => {
      if (!this.stopping) this.log.error({ err: err.message }, 'pcsc error');
    });
    nfc.on('reader', (reader) => {
      const name = reader.reader.name;
      if (this.options.readerName && !name.includes(this.options.readerName)) {
        this.log.debug({ reader: name }, 'reader ignored (not the one configured)');
        return;
      }
      reader.autoProcessing = false;
      this.attached.set(name, reader);
      this.log.info({ reader: name }, 'reader attached');
      this.watch(reader, name, onCard);
    });
    return Promise.resolve();
  }

  private watch(reader: Reader, name: string, onCard: (session: CardSession) => Promise<void>): void {
    let current: PcscSession | null = null;
    let busy: Promise<void> = Promise.resolve();
    reader.on('card', (card) => {
      const session = new PcscSession(reader, name, card.atr ?? Buffer.alloc(0));
      current = session;
      // One card at a time per reader: the next card waits for the previous handler.
      busy = busy.then(() => onCard(session)).catch((err: unknown) => {
        this.log.error({ reader: name, err: errText(err) }, 'card handler failed');
      });
    });
    reader.on('card.off', () => {
      current?.markRemoved();
      current = null;
    });
    reader.on('error', (err) => this.log.warn({ reader: name, err: err.message }, 'reader error'));
    reader.on('end', () => {
      current?.markRemoved();
      this.attached.delete(name);
      this.log.info({ reader: name }, 'reader detached');
    });
  }

  readers(): string[] {
    return [...this.attached.keys()];
  }

  stop(): Promise<void> {
    this.stopping = true;
    for (const reader of this.attached.values()) reader.close();
    this.attached.clear();
    this.nfc?.close();
    this.nfc = null;
    return Promise.resolve();
  }
}

class PcscSession implements CardSession {
  private gone = false;

  constructor(
    private readonly reader: Reader,
    readonly readerName: string,
    readonly atr: Buffer,
  ) {}

  get removed(): boolean {
    return this.gone;
  }

  markRemoved(): void {
    this.gone = true;
  }

  async transmit(command: Buffer): Promise<Buffer> {
    if (this.gone) throw new RescardError('CARD_REMOVED', 'the card left the reader', { reader: this.readerName });
    try {
      return await this.reader.transmit(command, RESPONSE_MAX_BYTES);
    } catch (err) {
      const text = errText(err);
      if (this.gone || REMOVED.test(text)) {
        this.gone = true;
        throw new RescardError('CARD_REMOVED', 'the card left the reader during the read', { reader: this.readerName }, { cause: err });
      }
      throw new RescardError('READER_FAILURE', 'PC/SC transmit failed', { reader: this.readerName, error: text }, { cause: err });
    }
  }
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const previous = (err as Error & { previous?: unknown }).previous;
    return previous instanceof Error ? `${err.message}: ${previous.message}` : err.message;
  }
  return String(err);
}

/** nfc-pcsc's own logging, reduced to its message strings at trace: its arguments may hold card data. */
function quietLogger(log: Logger, stopping: () => boolean): NfcLogger {
  const first = (args: unknown[]): string => {
    const head = args[0];
    if (typeof head === 'string') return head;
    return head instanceof Error ? head.message : '';
  };
  return {
    log: (...args) => log.trace({ lib: 'nfc-pcsc' }, first(args)),
    debug: (...args) => log.trace({ lib: 'nfc-pcsc' }, first(args)),
    info: (...args) => log.trace({ lib: 'nfc-pcsc' }, first(args)),
    warn: (...args) => (stopping() ? undefined : log.warn({ lib: 'nfc-pcsc' }, first(args))),
    error: (...args) => (stopping() ? undefined : log.warn({ lib: 'nfc-pcsc' }, first(args))),
  };
}
