/** Bounds-checked little-endian reads (5.5: multi-byte fields are LSB first) for message decoders. */
import { OsdpError } from './osdp-error.js';

export class ByteReader {
  private offset = 0;

  constructor(
    private readonly data: Buffer,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  private take(count: number): number {
    if (this.remaining < count) {
      throw new OsdpError('OSDP_MESSAGE_INVALID', `${this.what}: data too short`, { length: this.data.length, needed: this.offset + count });
    }
    const at = this.offset;
    this.offset += count;
    return at;
  }

  u8(): number {
    return this.data[this.take(1)]!;
  }

  u16(): number {
    return this.data.readUInt16LE(this.take(2));
  }

  u24(): number {
    return this.data.readUIntLE(this.take(3), 3);
  }

  u32(): number {
    return this.data.readUInt32LE(this.take(4));
  }

  bytes(count: number): Buffer {
    const at = this.take(count);
    return Buffer.from(this.data.subarray(at, at + count));
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** Every byte must have been read: a longer message is a length error (NAK 0x02). */
  end(): void {
    if (this.remaining !== 0) {
      throw new OsdpError('OSDP_MESSAGE_INVALID', `${this.what}: ${this.remaining} unexpected trailing bytes`, { length: this.data.length });
    }
  }
}

export function messageInvalid(message: string, details: Record<string, unknown> = {}): OsdpError {
  return new OsdpError('OSDP_MESSAGE_INVALID', message, details);
}

/** 100 ms units on the wire (6.9, 6.10, 6.11); rounded up so a short time never becomes 0. */
export function toTenths(ms: number, max: number, field: string): number {
  const tenths = Math.ceil(ms / 100);
  if (!Number.isFinite(ms) || ms < 0 || tenths > max) throw messageInvalid(`${field} out of range`, { ms });
  return tenths;
}

export function byteField(value: number, field: string, max = 0xff): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw messageInvalid(`${field} out of range`, { value });
  return value;
}
