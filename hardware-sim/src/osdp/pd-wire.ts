/**
 * The simulated PD's own reading and writing of OSDP packets (SIA OSDP 2.2, 5.9 packet format,
 * Annex C check characters). Written separately from the terminal's codec on purpose: the
 * simulator is test equipment, and two implementations that agree on the wire are a check on
 * each other (the terminal cannot be a dependency of hardware-sim either way).
 */
export const SOM = 0x53;
const MAX_PACKET = 1440; // 5.6

export interface Packet {
  readonly address: number; // without the reply flag
  readonly reply: boolean;
  readonly sqn: number;
  readonly crc: boolean;
  readonly scbType?: number;
  readonly scbData: Buffer;
  readonly code: number;
  readonly data: Buffer;
  readonly mac?: Buffer;
  /** The bytes from SOM up to the MAC (what the MAC covers). */
  readonly signed: Buffer;
  readonly raw: Buffer;
}

/** CRC-16, polynomial 0x1021, initial 0x1D0F (Annex C), bit by bit. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0x1d0f;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function checksum(bytes: Uint8Array): number {
  return (0x100 - (bytes.reduce((sum, b) => sum + b, 0) & 0xff)) & 0xff;
}

const hasMac = (scbType: number | undefined): boolean => scbType !== undefined && scbType >= 0x15 && scbType <= 0x18;

/** Everything before the MAC, with LEN counting MAC (if any) and a CRC-16. */
export function packetHead(p: { address: number; reply: boolean; sqn: number; scbType?: number; scbData?: Buffer; code: number; data: Buffer }): Buffer {
  const scb = p.scbType === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([2 + (p.scbData?.length ?? 0), p.scbType]), p.scbData ?? Buffer.alloc(0)]);
  const total = 5 + scb.length + 1 + p.data.length + (hasMac(p.scbType) ? 4 : 0) + 2;
  const ctrl = (p.sqn & 3) | 0x04 | (p.scbType === undefined ? 0 : 0x08);
  const header = Buffer.from([SOM, (p.address & 0x7f) | (p.reply ? 0x80 : 0), total & 0xff, total >> 8, ctrl]);
  return Buffer.concat([header, scb, Buffer.from([p.code]), p.data]);
}

export function withCrc(body: Buffer): Buffer {
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

/** Parse one whole packet; undefined when its check character or structure is wrong. */
export function parsePacket(raw: Buffer): Packet | undefined {
  const ctrl = raw[4] ?? 0;
  const crc = (ctrl & 0x04) !== 0;
  const end = raw.length - (crc ? 2 : 1);
  if (end < 6) return undefined;
  const ok = crc ? crc16(raw.subarray(0, end)) === (raw[end]! | (raw[end + 1]! << 8)) : checksum(raw.subarray(0, end)) === raw[end];
  if (!ok) return undefined;
  let at = 5;
  let scbType: number | undefined;
  let scbData: Buffer = Buffer.alloc(0);
  if (ctrl & 0x08) {
    const len = raw[5]!;
    if (len < 2 || 5 + len >= end) return undefined;
    scbType = raw[6];
    scbData = raw.subarray(7, 5 + len);
    at = 5 + len;
  }
  const macLen = hasMac(scbType) ? 4 : 0;
  if (at + 1 + macLen > end) return undefined;
  return {
    address: raw[1]! & 0x7f,
    reply: (raw[1]! & 0x80) !== 0,
    sqn: ctrl & 3,
    crc,
    ...(scbType === undefined ? {} : { scbType }),
    scbData,
    code: raw[at]!,
    data: raw.subarray(at + 1, end - macLen),
    ...(macLen === 0 ? {} : { mac: raw.subarray(end - macLen, end) }),
    signed: raw.subarray(0, end - macLen),
    raw,
  };
}

/** Reassembles packets from a byte stream; bad packets are counted and skipped (5.8). */
export class PacketReader {
  private pending = Buffer.alloc(0);
  badPackets = 0;

  feed(chunk: Buffer): Packet[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: Packet[] = [];
    for (;;) {
      const start = this.pending.indexOf(SOM);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        return out;
      }
      this.pending = this.pending.subarray(start);
      if (this.pending.length < 4) return out;
      const len = this.pending[2]! | (this.pending[3]! << 8);
      if (len < 7 || len > MAX_PACKET) {
        this.pending = this.pending.subarray(1);
        continue;
      }
      if (this.pending.length < len) return out;
      const packet = parsePacket(Buffer.from(this.pending.subarray(0, len)));
      if (packet === undefined) {
        this.badPackets += 1;
        this.pending = this.pending.subarray(1);
        continue;
      }
      out.push(packet);
      this.pending = this.pending.subarray(len);
    }
  }
}
