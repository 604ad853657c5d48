/**
 * SerialNmeaReader: a GPS receiver on a serial port (serialport) → NmeaPosition.feed.
 *
 * - open() rejects with GpsError GPS_PORT_FAILURE when the port cannot be opened now; the
 *   composition root decides whether a bus starts without GPS (its taps are then NO_FIX).
 * - After a successful open, a port that closes or fails (USB receiver unplugged) is reopened
 *   every reopenDelayMs until close(); meanwhile the fix ages into STALE on its own.
 * - Received bytes are logged at trace, in hex. serialport errors never leave this file.
 */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { GpsError } from './gps-error.js';

export interface ByteSink {
  feed(chunk: Uint8Array): void;
}

export interface SerialNmeaReaderOptions {
  readonly path: string;
  /** NMEA 0183 default is 4800; most current receivers use 9600. */
  readonly baudRate?: number;
  readonly sink: ByteSink;
  readonly log: Logger;
  readonly reopenDelayMs?: number;
}

export class SerialNmeaReader {
  private port: SerialPort | null = null;
  private closing = false;
  private reopenTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private reopenCount = 0;

  constructor(private readonly options: SerialNmeaReaderOptions) {
    this.log = options.log.child({ module: 'gps-serial', path: options.path });
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  /** Times the port was reopened after a loss (for the heartbeat). */
  get reopens(): number {
    return this.reopenCount;
  }

  async open(): Promise<void> {
    this.closing = false;
    await this.openPort();
  }

  /**
   * Open, and if the port is not there yet keep trying in the background: a bus must run (and
   * flag its taps NO_FIX) without its GPS rather than refuse to start.
   */
  async openOrRetry(): Promise<void> {
    this.closing = false;
    try {
      await this.openPort();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'gps port not available; taps are flagged NO_FIX until it opens');
      this.scheduleReopen();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reopenTimer !== null) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private openPort(): Promise<void> {
    const { path, baudRate = 9600 } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    // Listeners go on before open: serialport starts its read loop at open, and a hang-up
    // (a pty whose other end closed, a USB receiver unplugged) is only noticed by that loop.
    port.on('data', (chunk: Buffer) => {
      this.log.trace({ hex: chunk.toString('hex') }, 'gps rx');
      this.options.sink.feed(chunk);
    });
    port.on('error', (e: Error) => this.log.warn({ err: e.message }, 'gps port error'));
    port.on('close', () => this.lost(port));
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          port.removeAllListeners();
          reject(new GpsError('GPS_PORT_FAILURE', `GPS serial port ${path} cannot be opened: ${err.message}`, { path }, { cause: err }));
          return;
        }
        if (this.closing) {
          port.close();
          resolve();
          return;
        }
        this.port = port;
        this.log.info({ baudRate }, 'gps port open');
        resolve();
      });
    });
  }

  private lost(port: SerialPort): void {
    if (this.closing || this.port !== port) return;
    this.port = null;
    this.log.error('gps port closed unexpectedly; reopening');
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      if (this.closing) return;
      this.openPort().then(
        () => {
          this.reopenCount += 1;
        },
        (err: unknown) => {
          this.log.debug({ err: (err as Error).message }, 'gps port reopen failed');
          this.scheduleReopen();
        },
      );
    }, this.options.reopenDelayMs ?? 2_000);
  }
}
