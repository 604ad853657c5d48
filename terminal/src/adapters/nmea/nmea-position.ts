/**
 * NmeaPosition: the Position port over a stream of NMEA 0183 bytes. It frames lines, verifies
 * and decodes RMC/GGA, keeps the last fix with its receive instant (Clock.monoMs) and counts
 * every line it could not use, by reason, for the heartbeat. No I/O: SerialNmeaReader (or a
 * test) feeds it bytes.
 */
import type { Logger } from 'pino';
import type { Route } from '../../core/stops/stops.js';
import type { Clock } from '../../ports/clock.js';
import { DEFAULT_GPS_MAX_AGE_MS, readingAt, type Position, type PositionReading } from '../../ports/position.js';
import { DEFAULT_MAX_LINE_BYTES, NmeaLineFramer } from '../../protocol/nmea/line-framer.js';
import { parseSentence } from '../../protocol/nmea/sentence.js';
import type { BadReason } from '../../protocol/nmea/types.js';
import { FixTracker } from './fix-tracker.js';

export interface NmeaPositionOptions {
  readonly clock: Clock;
  /** A fix older than this (monotonic ms) is stale. */
  readonly maxAgeMs?: number;
  readonly route?: Route | null;
  readonly maxLineBytes?: number;
  readonly log?: Logger;
}

export interface NmeaCounters {
  /** Lines framed (over-long ones excluded). */
  readonly lines: number;
  readonly rmc: number;
  readonly gga: number;
  /** Not used, by reason. `malformed` includes noise dropped before a sentence start. */
  readonly bad: Readonly<Record<BadReason | 'overlong', number>>;
}

export class NmeaPosition implements Position {
  private readonly framer: NmeaLineFramer;
  private readonly tracker = new FixTracker();
  private readonly maxAgeMs: number;
  private route: Route | null;
  private readonly log: Logger | undefined;
  private lines = 0;
  private readonly used = { rmc: 0, gga: 0 };
  private readonly bad = { checksum: 0, malformed: 0, unsupported: 0 };

  constructor(private readonly options: NmeaPositionOptions) {
    this.framer = new NmeaLineFramer(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_GPS_MAX_AGE_MS;
    this.route = options.route ?? null;
    this.log = options.log?.child({ module: 'nmea' });
  }

  /** Consume bytes as they arrive; any chunking. */
  feed(chunk: Uint8Array): void {
    const resyncedBefore = this.framer.resynced;
    const lines = this.framer.push(chunk);
    this.bad.malformed += this.framer.resynced - resyncedBefore;
    if (lines.length === 0) return;
    const monoMs = this.options.clock.monoMs();
    for (const line of lines) {
      this.lines += 1;
      const result = parseSentence(line);
      if (result.ok) {
        this.used[result.sentence.type === 'RMC' ? 'rmc' : 'gga'] += 1;
        this.tracker.accept(result.sentence, monoMs);
      } else {
        this.bad[result.reason] += 1;
        if (result.reason !== 'unsupported') this.log?.debug({ reason: result.reason, detail: result.detail }, 'nmea sentence rejected');
      }
    }
  }

  current(nowMonoMs: number): PositionReading {
    return readingAt(this.tracker.latest(), nowMonoMs, this.maxAgeMs, this.route);
  }

  /** The route whose stops are matched (the driver's or the schedule's); null: no stop ids. */
  setRoute(route: Route | null): void {
    this.route = route;
  }

  counters(): NmeaCounters {
    return {
      lines: this.lines,
      ...this.used,
      bad: { ...this.bad, overlong: this.framer.overlong },
    };
  }
}
