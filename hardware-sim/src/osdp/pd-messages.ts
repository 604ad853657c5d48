/**
 * What the simulated PD understands (section 6 commands) and how it answers (section 7 replies).
 * decodeCommand returns 'length' for a data block of the wrong size (NAK 0x02) and 'unknown' for
 * a code it does not implement (NAK 0x03).
 */
export interface LedState {
  readonly code: number;
  readonly onMs: number;
  readonly offMs: number;
  readonly onColor: number;
  readonly offColor: number;
  readonly timerMs: number;
}

export type SimCommand =
  | { readonly type: 'poll' | 'lstat' | 'istat' | 'ostat' | 'id' | 'cap' }
  | { readonly type: 'out'; readonly records: readonly { output: number; code: number; timerMs: number }[] }
  | { readonly type: 'led'; readonly records: readonly { reader: number; led: number; temp: LedState; perm: LedState }[] }
  | { readonly type: 'buz'; readonly tone: number; readonly onMs: number; readonly offMs: number; readonly count: number }
  | { readonly type: 'text'; readonly command: number; readonly seconds: number; readonly row: number; readonly text: string }
  | { readonly type: 'comset'; readonly address: number; readonly baud: number }
  | { readonly type: 'keyset'; readonly keyType: number; readonly key: Buffer }
  | { readonly type: 'chlng'; readonly rndA: Buffer }
  | { readonly type: 'scrypt'; readonly cryptogram: Buffer };

export type Decoded = SimCommand | 'length' | 'unknown';

const u16 = (d: Buffer, at: number): number => d[at]! | (d[at + 1]! << 8);
const tenths = (v: number | undefined): number => (v ?? 0) * 100;

function led(d: Buffer, at: number): { reader: number; led: number; temp: LedState; perm: LedState } {
  const state = (o: number, timer: boolean): LedState => ({
    code: d[o]!, onMs: tenths(d[o + 1]), offMs: tenths(d[o + 2]), onColor: d[o + 3]!, offColor: d[o + 4]!, timerMs: timer ? u16(d, o + 5) * 100 : 0,
  });
  return { reader: d[at]!, led: d[at + 1]!, temp: state(at + 2, true), perm: state(at + 9, false) };
}

export function decodeCommand(code: number, d: Buffer): Decoded {
  const exactly = (n: number): boolean => d.length === n;
  switch (code) {
    case 0x60: return exactly(0) ? { type: 'poll' } : 'length';
    case 0x61: return exactly(1) ? { type: 'id' } : 'length';
    case 0x62: return exactly(1) ? { type: 'cap' } : 'length';
    case 0x64: return exactly(0) ? { type: 'lstat' } : 'length';
    case 0x65: return exactly(0) ? { type: 'istat' } : 'length';
    case 0x66: return exactly(0) ? { type: 'ostat' } : 'length';
    case 0x68:
      if (d.length === 0 || d.length % 4 !== 0) return 'length';
      return { type: 'out', records: Array.from({ length: d.length / 4 }, (_, i) => ({ output: d[i * 4]!, code: d[i * 4 + 1]!, timerMs: u16(d, i * 4 + 2) * 100 })) };
    case 0x69:
      if (d.length === 0 || d.length % 14 !== 0) return 'length';
      return { type: 'led', records: Array.from({ length: d.length / 14 }, (_, i) => led(d, i * 14)) };
    case 0x6a: return exactly(5) ? { type: 'buz', tone: d[1]!, onMs: tenths(d[2]), offMs: tenths(d[3]), count: d[4]! } : 'length';
    case 0x6b:
      if (d.length < 6 || d.length !== 6 + d[5]!) return 'length';
      return { type: 'text', command: d[1]!, seconds: d[2]!, row: d[3]!, text: d.subarray(6).toString('latin1') };
    case 0x6e: return exactly(5) ? { type: 'comset', address: d[0]!, baud: d.readUInt32LE(1) } : 'length';
    case 0x75: return exactly(18) && d[1] === 16 ? { type: 'keyset', keyType: d[0]!, key: Buffer.from(d.subarray(2)) } : 'length';
    case 0x76: return exactly(8) ? { type: 'chlng', rndA: Buffer.from(d) } : 'length';
    case 0x77: return exactly(16) ? { type: 'scrypt', cryptogram: Buffer.from(d) } : 'length';
    default: return 'unknown';
  }
}

export interface Reply {
  readonly code: number;
  readonly data: Buffer;
}

const reply = (code: number, bytes: number[] | Buffer = []): Reply => ({ code, data: Buffer.from(bytes) });

export const replies = {
  ack: (): Reply => reply(0x40),
  nak: (reason: number): Reply => reply(0x41, [reason]),
  pdid: (serial: number): Reply => {
    const d = Buffer.alloc(12);
    d.writeUIntLE(0x0a0b0c, 0, 3); // vendor code: a made-up OUI for the simulator
    d[3] = 0x01; // model: turnstile
    d[4] = 0x01;
    d.writeUInt32LE(serial, 5);
    d.set([1, 0, 0], 9); // firmware 1.0.0
    return reply(0x45, d);
  },
  pdcap: (caps: readonly (readonly [number, number, number])[]): Reply => reply(0x46, caps.flat()),
  lstatr: (tamper: boolean, power: boolean): Reply => reply(0x48, [tamper ? 1 : 0, power ? 1 : 0]),
  istatr: (inputs: readonly boolean[]): Reply => reply(0x49, inputs.map(Number)),
  ostatr: (outputs: readonly boolean[]): Reply => reply(0x4a, outputs.map(Number)),
  raw: (bits: number, data: Buffer): Reply => reply(0x50, Buffer.concat([Buffer.from([0, 1, bits & 0xff, bits >> 8]), data])),
  com: (address: number, baud: number): Reply => {
    const d = Buffer.alloc(5);
    d[0] = address;
    d.writeUInt32LE(baud, 1);
    return reply(0x54, d);
  },
  ccrypt: (uid: Buffer, rndB: Buffer, cryptogram: Buffer): Reply => reply(0x76, Buffer.concat([uid, rndB, cryptogram])),
  rmacI: (value: Buffer): Reply => reply(0x78, value),
};
