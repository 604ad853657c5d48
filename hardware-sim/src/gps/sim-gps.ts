/**
 * SimGps: a GPS receiver that speaks NMEA 0183 on a serial port (a pty in tests and demos).
 * Test equipment. `done` resolves when the feed ends (one lap, or stop() when looping).
 */
import type { Logger } from 'pino';
import { realTime, runFeed, type FeedOptions, type FeedSummary } from './gps-feed.js';
import { openSerialWriter } from './serial-writer.js';

export interface SimGpsOptions extends Omit<FeedOptions, 'startWallMs'> {
  readonly path: string;
  readonly baudRate?: number;
  /** UTC of the first route sample; default now. */
  readonly startWallMs?: number;
  readonly logger?: Logger;
}

export class SimGps {
  private constructor(
    readonly done: Promise<FeedSummary>,
    private readonly abort: AbortController,
  ) {}

  static async open(options: SimGpsOptions): Promise<SimGps> {
    const writer = await openSerialWriter(options.path, options.baudRate);
    const abort = new AbortController();
    const log = options.logger?.child({ module: 'sim-gps', path: options.path });
    const io = {
      ...realTime,
      write: (bytes: Buffer): Promise<void> => {
        log?.trace({ hex: bytes.toString('hex') }, 'gps tx');
        return writer.write(bytes);
      },
    };
    const feed = { ...options, startWallMs: options.startWallMs ?? Date.now() };
    const done = runFeed(feed, io, abort.signal).finally(() => writer.close());
    return new SimGps(done, abort);
  }

  /** Stop sending (at the next frame) and close the port. */
  async stop(): Promise<FeedSummary> {
    this.abort.abort();
    return this.done;
  }
}
