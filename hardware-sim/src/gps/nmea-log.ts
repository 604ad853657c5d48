/**
 * Replay of a recorded NMEA log (gpsd test/daemon style: '#' comment lines, one sentence per
 * line). Lines are sent byte for byte, corrupted ones included, so a corrupted log exercises
 * the terminal's counters. Lines are grouped into epochs: a sentence with a UTC time field
 * (RMC, GGA, GNS, GLL, ZDA) different from the current epoch's starts a new one.
 * Pace: the log's own time steps (clamped to 0..MAX_GAP_MS), or a fixed rate when given.
 */
import { readFile } from 'node:fs/promises';
import { RescardError } from '@rescard/shared';

export interface LogEpoch {
  /** ms since UTC midnight, null when no line of the epoch carries a time. */
  readonly timeOfDayMs: number | null;
  readonly lines: readonly Buffer[];
}

export interface FeedFrame {
  /** When to send, ms after the feed started. */
  readonly atMs: number;
  readonly bytes: Buffer;
}

/** A gap in a log longer than this (receiver off, log spliced) is replayed as this. */
export const MAX_GAP_MS = 5_000;
const DEFAULT_GAP_MS = 1_000;
const DAY_MS = 86_400_000;
const CRLF = Buffer.from('\r\n', 'latin1');

function timeField(line: string): number | null {
  const fields = line.split(',');
  const type = fields[0]?.slice(3) ?? '';
  const index = type === 'GLL' ? 5 : ['RMC', 'GGA', 'GNS', 'ZDA'].includes(type) ? 1 : -1;
  const match = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)/.exec(fields[index] ?? '');
  if (!match) return null;
  return Math.round(((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000);
}

/** `latin1` text of the log (bytes preserved). */
export function parseNmeaLog(text: string): LogEpoch[] {
  const epochs: { timeOfDayMs: number | null; lines: Buffer[] }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const time = line.startsWith('$') ? timeField(line) : null;
    const current = epochs.at(-1);
    if (current && (time === null || current.timeOfDayMs === null || current.timeOfDayMs === time)) {
      current.lines.push(Buffer.from(line, 'latin1'));
      if (current.timeOfDayMs === null) current.timeOfDayMs = time;
    } else {
      epochs.push({ timeOfDayMs: time, lines: [Buffer.from(line, 'latin1')] });
    }
  }
  return epochs;
}

export async function readNmeaLog(path: string): Promise<LogEpoch[]> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `NMEA log ${path} cannot be read: ${(err as Error).message}`);
  }
  const epochs = parseNmeaLog(text);
  if (epochs.length === 0) throw new RescardError('CONFIG_INVALID', `NMEA log ${path} has no sentences`);
  return epochs;
}

/** One frame per epoch (its lines, each ending CR LF). rateHz fixes the pace; else the log's. */
export function* logFrames(epochs: readonly LogEpoch[], options: { rateHz?: number; offsetMs?: number } = {}): Generator<FeedFrame> {
  let atMs = options.offsetMs ?? 0;
  let previous: number | null = null;
  for (const [i, epoch] of epochs.entries()) {
    if (i > 0) atMs += gapMs(previous, epoch.timeOfDayMs, options.rateHz);
    if (epoch.timeOfDayMs !== null) previous = epoch.timeOfDayMs;
    yield { atMs, bytes: Buffer.concat(epoch.lines.flatMap((line) => [line, CRLF])) };
  }
}

function gapMs(previous: number | null, time: number | null, rateHz: number | undefined): number {
  if (rateHz !== undefined) return 1000 / rateHz;
  if (previous === null || time === null) return DEFAULT_GAP_MS;
  const gap = (time - previous + DAY_MS) % DAY_MS;
  return Math.min(gap, MAX_GAP_MS);
}
