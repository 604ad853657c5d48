/**
 * The simulated receiver's send loop: frames (route samples or log epochs) written at their
 * time, lap after lap with --loop. Time and writing are injected (FeedIo), so tests run it on
 * virtual time and SimGps runs it on real timers and a serial port.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { driveRoute } from './route-drive.js';
import { ggaSentence, rmcSentence, type SimTalker } from './nmea-encode.js';
import { logFrames, type FeedFrame, type LogEpoch } from './nmea-log.js';
import type { SimRoute } from './sim-route.js';

export interface FeedIo {
  write(bytes: Buffer): Promise<void>;
  now(): number;
  /** Resolves after ms, or early (without error) when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realTime: Pick<FeedIo, 'now' | 'sleep'> = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

export type FeedSource = { readonly route: SimRoute } | { readonly log: readonly LogEpoch[] };

export interface FeedOptions {
  readonly source: FeedSource;
  /** Samples per second driving a route (default 1); for a log, a fixed epoch rate instead of the log's pace. */
  readonly rateHz?: number;
  readonly loop?: boolean;
  readonly talker?: SimTalker;
  /** UTC of the first route sample. */
  readonly startWallMs: number;
}

export interface FeedSummary {
  readonly frames: number;
  readonly laps: number;
}

/** The frames of one lap, starting at offsetMs of feed time. */
export function lapFrames(options: FeedOptions, offsetMs: number): Iterable<FeedFrame> {
  const { source } = options;
  if ('log' in source) {
    return logFrames(source.log, { offsetMs, ...(options.rateHz !== undefined ? { rateHz: options.rateHz } : {}) });
  }
  const talker = options.talker ?? 'GP';
  const samples = driveRoute(source.route, { rateHz: options.rateHz ?? 1, startWallMs: options.startWallMs, offsetMs });
  return (function* () {
    for (const { atMs, sample } of samples) {
      yield { atMs, bytes: Buffer.from(`${rmcSentence(sample, talker)}\r\n${ggaSentence(sample, talker)}\r\n`, 'latin1') };
    }
  })();
}

export async function runFeed(options: FeedOptions, io: FeedIo, signal: AbortSignal): Promise<FeedSummary> {
  const startedAt = io.now();
  const intervalMs = 1000 / (options.rateHz ?? 1);
  let frames = 0;
  let laps = 0;
  let offsetMs = 0;
  do {
    let lastAtMs = offsetMs - intervalMs;
    for (const frame of lapFrames(options, offsetMs)) {
      const waitMs = startedAt + frame.atMs - io.now();
      if (waitMs > 0) await io.sleep(waitMs, signal);
      if (signal.aborted) return { frames, laps };
      await io.write(frame.bytes);
      frames += 1;
      lastAtMs = frame.atMs;
    }
    laps += 1;
    offsetMs = lastAtMs + intervalMs;
  } while (options.loop === true && !signal.aborted);
  return { frames, laps };
}
