/**
 * Byte stream → NMEA lines. Pure and incremental: chunks may split a line anywhere, or carry
 * several lines. A line ends at LF or CR (CR LF gives one line; empty lines are skipped).
 *
 * Bounded: at most `maxLineBytes` bytes are buffered. A longer line is dropped whole (its bytes
 * until the next line end are discarded) and counted as `overlong`; a receiver sending binary
 * or a baud-rate mismatch must not grow memory. Leading noise before the last '$' or '!' of a
 * line (a sentence cut short by lost bytes, then a new one) is dropped and counted as
 * `resynced`; the tail is returned for parsing. Bytes are decoded as latin1, one char per byte,
 * so non-ASCII noise stays visible to the parser (which calls it malformed).
 */

/** 82 is the NMEA maximum; proprietary sentences of some receivers run longer. */
export const DEFAULT_MAX_LINE_BYTES = 256;

const LF = 0x0a;
const CR = 0x0d;

export class NmeaLineFramer {
  private buffer: Buffer;
  private length = 0;
  private discarding = false;
  private overlongCount = 0;
  private resyncedCount = 0;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 16) throw new RangeError('maxLineBytes must be an integer >= 16');
    this.buffer = Buffer.alloc(maxLineBytes);
  }

  /** Lines completed by this chunk, in order. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    for (const byte of chunk) {
      if (byte === LF || byte === CR) {
        this.endLine(lines);
      } else if (this.discarding) {
        continue;
      } else if (this.length === this.maxLineBytes) {
        this.overlongCount += 1;
        this.discarding = true;
        this.length = 0;
      } else {
        this.buffer[this.length] = byte;
        this.length += 1;
      }
    }
    return lines;
  }

  /** Lines dropped for exceeding maxLineBytes. */
  get overlong(): number {
    return this.overlongCount;
  }

  /** Lines whose leading noise was dropped before a sentence start. */
  get resynced(): number {
    return this.resyncedCount;
  }

  private endLine(lines: string[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.length === 0) return;
    let line = this.buffer.toString('latin1', 0, this.length);
    this.length = 0;
    const start = Math.max(line.lastIndexOf('$'), line.lastIndexOf('!'));
    if (start > 0) {
      this.resyncedCount += 1;
      line = line.slice(start);
    }
    lines.push(line);
  }
}
