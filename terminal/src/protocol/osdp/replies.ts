/** Typed replies (PD to CP), section 7, with encoders for their DATA block. Pure. */
import { byteField, messageInvalid } from './byte-reader.js';
import { REPLY } from './codes.js';

export interface Capability {
  /** Annex B function code (CAP_FUNCTION). */
  readonly function: number;
  readonly compliance: number;
  readonly count: number;
}

export interface PdIdentity {
  /** IEEE OUI, 3 bytes LSB first. */
  readonly vendorCode: number;
  readonly model: number;
  readonly version: number;
  readonly serialNumber: number;
  readonly firmware: { readonly major: number; readonly minor: number; readonly build: number };
}

export type OsdpReply =
  | { readonly kind: 'ack' | 'busy' }
  /** 7.3: NAK_REASON. */
  | { readonly kind: 'nak'; readonly reason: number }
  | ({ readonly kind: 'pdid' } & PdIdentity)
  | { readonly kind: 'pdcap'; readonly capabilities: readonly Capability[] }
  /** 7.6: true = tamper / power failure. */
  | { readonly kind: 'lstatr'; readonly tamper: boolean; readonly power: boolean }
  /** 7.7: one entry per input, true = active. */
  | { readonly kind: 'istatr'; readonly inputs: readonly boolean[] }
  /** 7.8: one entry per output, true = on. */
  | { readonly kind: 'ostatr'; readonly outputs: readonly boolean[] }
  /** 7.10: format 0 = raw unspecified, 1 = Wiegand; data is ceil(bitCount / 8) bytes. */
  | { readonly kind: 'raw'; readonly reader: number; readonly format: number; readonly bitCount: number; readonly data: Buffer }
  /** 7.13: the settings the PD will use from now on. */
  | { readonly kind: 'com'; readonly address: number; readonly baudRate: number }
  /** Annex D: the PD's answer to osdp_CHLNG. */
  | { readonly kind: 'ccrypt'; readonly clientUid: Buffer; readonly pdRandom: Buffer; readonly clientCryptogram: Buffer }
  | { readonly kind: 'rmac_i'; readonly rmacI: Buffer };

export type ReplyKind = OsdpReply['kind'];

export const REPLY_KIND_BY_CODE: ReadonlyMap<number, ReplyKind> = new Map<number, ReplyKind>([
  [REPLY.ACK, 'ack'], [REPLY.NAK, 'nak'], [REPLY.PDID, 'pdid'], [REPLY.PDCAP, 'pdcap'], [REPLY.LSTATR, 'lstatr'],
  [REPLY.ISTATR, 'istatr'], [REPLY.OSTATR, 'ostatr'], [REPLY.RAW, 'raw'], [REPLY.COM, 'com'], [REPLY.CCRYPT, 'ccrypt'],
  [REPLY.RMAC_I, 'rmac_i'], [REPLY.BUSY, 'busy'],
]);

const EMPTY = Buffer.alloc(0);

function fixed(bytes: Buffer, length: number, field: string): Buffer {
  if (bytes.length !== length) throw messageInvalid(`${field} must be ${length} bytes`, { length: bytes.length });
  return bytes;
}

const flags = (values: readonly boolean[]): Buffer => Buffer.from(values.map((v) => (v ? 1 : 0)));

export function encodeReply(reply: OsdpReply): { code: number; data: Buffer } {
  switch (reply.kind) {
    case 'ack': return { code: REPLY.ACK, data: EMPTY };
    case 'busy': return { code: REPLY.BUSY, data: EMPTY };
    case 'nak': return { code: REPLY.NAK, data: Buffer.from([byteField(reply.reason, 'NAK reason')]) };
    case 'pdid': {
      const data = Buffer.alloc(12);
      data.writeUIntLE(reply.vendorCode, 0, 3);
      data[3] = byteField(reply.model, 'model');
      data[4] = byteField(reply.version, 'version');
      data.writeUInt32LE(reply.serialNumber, 5);
      data[9] = byteField(reply.firmware.major, 'firmware major');
      data[10] = byteField(reply.firmware.minor, 'firmware minor');
      data[11] = byteField(reply.firmware.build, 'firmware build');
      return { code: REPLY.PDID, data };
    }
    case 'pdcap':
      return { code: REPLY.PDCAP, data: Buffer.from(reply.capabilities.flatMap((c) => [byteField(c.function, 'function'), byteField(c.compliance, 'compliance'), byteField(c.count, 'count')])) };
    case 'lstatr': return { code: REPLY.LSTATR, data: flags([reply.tamper, reply.power]) };
    case 'istatr': return { code: REPLY.ISTATR, data: flags(reply.inputs) };
    case 'ostatr': return { code: REPLY.OSTATR, data: flags(reply.outputs) };
    case 'raw': {
      fixed(reply.data, Math.ceil(reply.bitCount / 8), 'card data');
      const head = Buffer.from([byteField(reply.reader, 'reader'), byteField(reply.format, 'format'), reply.bitCount & 0xff, reply.bitCount >> 8]);
      return { code: REPLY.RAW, data: Buffer.concat([head, reply.data]) };
    }
    case 'com': {
      const data = Buffer.alloc(5);
      data[0] = byteField(reply.address, 'address', 0x7e);
      data.writeUInt32LE(reply.baudRate, 1);
      return { code: REPLY.COM, data };
    }
    case 'ccrypt':
      return { code: REPLY.CCRYPT, data: Buffer.concat([fixed(reply.clientUid, 8, 'client UID'), fixed(reply.pdRandom, 8, 'RND.B'), fixed(reply.clientCryptogram, 16, 'client cryptogram')]) };
    case 'rmac_i': return { code: REPLY.RMAC_I, data: fixed(reply.rmacI, 16, 'R-MAC-I') };
  }
}
