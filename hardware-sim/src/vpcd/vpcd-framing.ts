/**
 * vpcd wire framing (vsmartcard, virtualsmartcard/src/vpcd): every message in either direction
 * is a 2-byte big-endian length followed by that many bytes. From vpcd, a 1-byte message is a
 * control code, anything longer is a command APDU; the card answers an APDU or a GET ATR with
 * one framed message and answers nothing to the other control codes.
 */

export const VPCD_CONTROL = {
  POWER_OFF: 0x00,
  POWER_ON: 0x01,
  RESET: 0x02,
  GET_ATR: 0x04,
} as const;

/** Largest payload the 2-byte length can carry. */
export const VPCD_MAX_PAYLOAD = 0xffff;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > VPCD_MAX_PAYLOAD) throw new RangeError(`vpcd payload of ${payload.length} bytes exceeds ${VPCD_MAX_PAYLOAD}`);
  const header = Buffer.alloc(2);
  header.writeUInt16BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/**
 * Reassembles frames from TCP chunks (a frame may be split across chunks, or several frames may
 * share one). Bounded: it never holds more than one incomplete frame (at most 65,537 bytes) plus
 * the chunk being read, because complete frames are handed out at once.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) break;
      frames.push(Buffer.from(this.pending.subarray(2, 2 + length)));
      this.pending = this.pending.subarray(2 + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
