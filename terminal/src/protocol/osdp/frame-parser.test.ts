/** The streaming parser (5.8): split chunks, two packets in one chunk, bad CRC, leading garbage. */
import { describe, expect, it } from 'vitest';
import { encodeCommand } from './commands.js';
import { encodeFrame } from './frame.js';
import { FrameParser } from './frame-parser.js';
import { OsdpError } from './osdp-error.js';
import { decodeFrame } from './frame.js';

const POLL = Buffer.from('530008000560DA99', 'hex'); // golden/poll.json
const OUT = Buffer.from('53001000066800051E0001010000D03D', 'hex'); // golden/out-release-in.json
const ID_CHECKSUM = Buffer.from('5300080000610044', 'hex'); // Annex E checksum example 2

const codes = (frames: { code: number }[]): number[] => frames.map((f) => f.code);

describe('FrameParser', () => {
  it('reassembles a packet delivered one byte at a time', () => {
    const parser = new FrameParser();
    const frames = [...OUT].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(codes(frames)).toEqual([0x68]);
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.stats).toEqual({ frames: 1, checkErrors: 0, lengthErrors: 0, discardedBytes: 0 });
  });

  it('splits two packets that arrive in one chunk, and a third split across chunks', () => {
    const parser = new FrameParser();
    const wire = Buffer.concat([POLL, OUT, ID_CHECKSUM]);
    expect(codes(parser.push(wire.subarray(0, POLL.length + OUT.length + 3)))).toEqual([0x60, 0x68]);
    expect(parser.bufferedBytes).toBe(3);
    expect(codes(parser.push(wire.subarray(POLL.length + OUT.length + 3)))).toEqual([0x61]);
  });

  it('drops a packet with a bad CRC, counts it, and still finds the next one', () => {
    const parser = new FrameParser();
    const bad = Buffer.from(OUT);
    bad[7] = bad[7]! ^ 0x01; // a data bit flipped on the line
    expect(codes(parser.push(Buffer.concat([bad, POLL])))).toEqual([0x60]);
    expect(parser.stats.checkErrors).toBe(1);
    expect(parser.stats.frames).toBe(1);
  });

  it('skips leading garbage (even garbage holding an SOM byte) and marking bytes', () => {
    const parser = new FrameParser();
    const garbage = Buffer.from([0x00, 0x13, 0x53, 0x02, 0xee]);
    expect(codes(parser.push(Buffer.concat([garbage, Buffer.from([0xff, 0xff]), POLL])))).toEqual([0x60]);
    expect(parser.stats.discardedBytes).toBe(garbage.length);
    expect(parser.stats.lengthErrors).toBe(1); // the noise SOM read a LEN of 0xEE02
  });

  it('rejects a LEN outside 7..limit and resynchronises after it', () => {
    const parser = new FrameParser(128);
    const huge = Buffer.from([0x53, 0x00, 0x00, 0x02]); // LEN 512 > 128
    expect(codes(parser.push(Buffer.concat([huge, POLL])))).toEqual([0x60]);
    expect(parser.stats.lengthErrors).toBe(1);
  });

  it('resync() recovers a packet hidden behind a noise SOM with a plausible LEN', () => {
    const parser = new FrameParser();
    // Noise: SOM + LEN 0x0040 swallows the real packet while the parser waits for 64 bytes.
    expect(parser.push(Buffer.concat([Buffer.from([0x53, 0x00, 0x40, 0x00]), POLL]))).toEqual([]);
    expect(codes(parser.resync())).toEqual([0x60]);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('decodes checksum-mode packets (Annex C)', () => {
    const parser = new FrameParser();
    const [frame] = parser.push(ID_CHECKSUM);
    expect(frame).toMatchObject({ code: 0x61, useCrc: false, sqn: 0, address: 0 });
  });
});

describe('frame encode/decode', () => {
  it('round-trips every field, and LEN counts the whole packet', () => {
    const { code, data } = encodeCommand({ kind: 'buz', reader: 0, tone: 2, onMs: 200, offMs: 100, count: 3 });
    const bytes = encodeFrame({ address: 0x12, isReply: false, sqn: 3, useCrc: true, code, data });
    expect(bytes.readUInt16LE(2)).toBe(bytes.length);
    expect(decodeFrame(bytes)).toMatchObject({ address: 0x12, isReply: false, sqn: 3, useCrc: true, code: 0x6a });
  });

  it('refuses malformed packets with OSDP_FRAME_INVALID', () => {
    const short = Buffer.from(POLL.subarray(0, 7));
    expect(() => decodeFrame(short)).toThrow(OsdpError);
    const wrongLen = Buffer.from(POLL);
    wrongLen[2] = 9;
    expect(() => decodeFrame(wrongLen)).toThrow(/LEN/);
    expect(() => encodeFrame({ address: 0x80, isReply: false, sqn: 0, useCrc: true, code: 0x60, data: Buffer.alloc(0) })).toThrow(/address/);
    expect(() => encodeFrame({ address: 0, isReply: false, sqn: 0, useCrc: true, code: 0x60, data: Buffer.alloc(0), mac: Buffer.alloc(4) })).toThrow(/MAC/);
  });
});
