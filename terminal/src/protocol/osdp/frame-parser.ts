/**
 * Streaming packet parser (5.8 message synchronisation): bytes arrive in chunks of any size; the
 * parser looks for SOM, reads LEN, waits for the whole packet, checks it and hands out frames.
 * Garbage before SOM and marking bytes (0xFF) are skipped; a packet whose LEN is out of range or
 * whose check character is wrong is dropped and counted, and the scan resumes one byte after its
 * SOM (that SOM may itself have been noise). Pure: no timers; the owner calls resync() when the
 * line has gone quiet with bytes still buffered.
 */
import { MARK, MAX_PACKET_BYTES, MIN_PACKET_BYTES, SOM } from './codes.js';
import { decodeFrame, type DecodedFrame } from './frame.js';

export interface ParserStats {
  /** Packets decoded. */
  frames: number;
  /** Packets dropped for a wrong CRC/checksum or a malformed block structure. */
  checkErrors: number;
  /** SOM candidates dropped for a LEN below the minimum or above the limit. */
  lengthErrors: number;
  /** Bytes skipped while looking for SOM (marking bytes 0xFF not counted). */
  discardedBytes: number;
}

export class FrameParser {
  private buffer = Buffer.alloc(0);
  readonly stats: ParserStats = { frames: 0, checkErrors: 0, lengthErrors: 0, discardedBytes: 0 };

  /** maxPacketBytes: this side's receive limit (5.6: at least 128, at most 1440). */
  constructor(private readonly maxPacketBytes = MAX_PACKET_BYTES) {}

  get bufferedBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): DecodedFrame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    return this.drain();
  }

  /**
   * The line went quiet mid-packet: the buffered SOM was noise (or the rest was lost). Drop it
   * and rescan what follows it. Returns any packets found in the remaining bytes.
   */
  resync(): DecodedFrame[] {
    if (this.buffer.length === 0) return [];
    this.skip(1);
    return this.drain();
  }

  private skip(count: number): void {
    for (let i = 0; i < count; i += 1) if (this.buffer[i] !== MARK) this.stats.discardedBytes += 1;
    this.buffer = this.buffer.subarray(count);
  }

  private drain(): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    for (;;) {
      const som = this.buffer.indexOf(SOM);
      if (som < 0) {
        this.skip(this.buffer.length);
        break;
      }
      if (som > 0) this.skip(som);
      if (this.buffer.length < 4) break;
      const length = this.buffer.readUInt16LE(2);
      if (length < MIN_PACKET_BYTES || length > this.maxPacketBytes) {
        this.stats.lengthErrors += 1;
        this.skip(1);
        continue;
      }
      if (this.buffer.length < length) break;
      try {
        frames.push(decodeFrame(Buffer.from(this.buffer.subarray(0, length))));
        this.stats.frames += 1;
        this.buffer = this.buffer.subarray(length);
      } catch {
        // Counted, not thrown: a corrupted packet is an expected event on a serial line (5.8).
        this.stats.checkErrors += 1;
        this.skip(1);
      }
    }
    if (this.buffer.length > 0) this.buffer = Buffer.from(this.buffer);
    return frames;
  }
}
