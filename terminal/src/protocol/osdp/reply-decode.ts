/** Decoders for the reply DATA blocks of section 7 (the CP side of replies.ts). Pure. */
import { ByteReader, messageInvalid } from './byte-reader.js';
import { REPLY_KIND_BY_CODE, type Capability, type OsdpReply } from './replies.js';

const flags = (data: Buffer): boolean[] => [...data].map((b) => b !== 0);

export function decodeReply(code: number, data: Buffer): OsdpReply {
  const kind = REPLY_KIND_BY_CODE.get(code);
  if (kind === undefined) throw messageInvalid('unknown reply code', { code });
  const r = new ByteReader(data, `reply 0x${code.toString(16)}`);
  let reply: OsdpReply;
  switch (kind) {
    case 'ack': case 'busy':
      reply = { kind };
      break;
    case 'nak':
      reply = { kind, reason: r.u8() };
      break;
    case 'pdid':
      reply = { kind, vendorCode: r.u24(), model: r.u8(), version: r.u8(), serialNumber: r.u32(), firmware: { major: r.u8(), minor: r.u8(), build: r.u8() } };
      break;
    case 'pdcap': {
      if (data.length % 3 !== 0) throw messageInvalid('osdp_PDCAP: data is not whole 3-byte entries', { length: data.length });
      const capabilities: Capability[] = [];
      while (r.remaining > 0) capabilities.push({ function: r.u8(), compliance: r.u8(), count: r.u8() });
      reply = { kind, capabilities };
      break;
    }
    case 'lstatr':
      reply = { kind, tamper: r.u8() !== 0, power: r.u8() !== 0 };
      break;
    case 'istatr':
      return { kind, inputs: flags(data) };
    case 'ostatr':
      return { kind, outputs: flags(data) };
    case 'raw': {
      const head = { reader: r.u8(), format: r.u8(), bitCount: r.u16() };
      reply = { kind, ...head, data: r.bytes(Math.ceil(head.bitCount / 8)) };
      break;
    }
    case 'com':
      reply = { kind, address: r.u8(), baudRate: r.u32() };
      break;
    case 'ccrypt':
      reply = { kind, clientUid: r.bytes(8), pdRandom: r.bytes(8), clientCryptogram: r.bytes(16) };
      break;
    case 'rmac_i':
      reply = { kind, rmacI: r.bytes(16) };
      break;
  }
  r.end();
  return reply;
}
