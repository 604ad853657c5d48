import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from './vpcd-framing.js';

describe('vpcd framing', () => {
  it('prefixes a 2-byte big-endian length', () => {
    expect(encodeFrame(Buffer.from('9000', 'hex')).toString('hex')).toBe('00029000');
    expect(encodeFrame(Buffer.alloc(300)).subarray(0, 2).toString('hex')).toBe('012c');
    expect(() => encodeFrame(Buffer.alloc(0x10000))).toThrow(RangeError);
  });

  it('reassembles frames split across chunks and several frames in one chunk', () => {
    const decoder = new FrameDecoder();
    const wire = Buffer.concat([encodeFrame(Buffer.from([0x04])), encodeFrame(Buffer.from('00A4040007A000000658101000', 'hex')), encodeFrame(Buffer.from([0x01]))]);
    const frames: Buffer[] = [];
    frames.push(...decoder.push(wire.subarray(0, 1)));
    expect(frames).toEqual([]);
    frames.push(...decoder.push(wire.subarray(1, 4)));
    expect(frames.map((f) => f.toString('hex'))).toEqual(['04']);
    expect(decoder.bufferedBytes).toBe(1);
    frames.push(...decoder.push(wire.subarray(4)));
    expect(frames.map((f) => f.toString('hex'))).toEqual(['04', '00a4040007a000000658101000', '01']);
    expect(decoder.bufferedBytes).toBe(0);
  });
});
