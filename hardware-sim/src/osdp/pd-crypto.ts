/**
 * The simulated PD's Secure Channel arithmetic (Annex D), kept apart from the terminal's:
 * session keys from the SCBK and RND.A, the cryptograms, R-MAC-I, the MAC chain and AES-CBC data
 * encryption with IV = the complement of the other direction's last MAC. node:crypto AES-128.
 */
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';

export const DEFAULT_SCBK = Buffer.from('303132333435363738393a3b3c3d3e3f', 'hex'); // SCBK-D

export interface Keys {
  readonly enc: Buffer;
  readonly mac1: Buffer;
  readonly mac2: Buffer;
}

function aes(mode: 'ecb' | 'cbc', key: Buffer, iv: Buffer | null, data: Buffer, decrypt = false): Buffer {
  const algo = `aes-128-${mode}`;
  const c = decrypt ? createDecipheriv(algo, key, iv) : createCipheriv(algo, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

const ecb = (key: Buffer, block: Buffer): Buffer => aes('ecb', key, null, block);

export function sessionKeys(scbk: Buffer, rndA: Buffer): Keys {
  const block = (a: number, b: number): Buffer => ecb(scbk, Buffer.concat([Buffer.from([a, b]), rndA.subarray(0, 6), Buffer.alloc(8)]));
  return { enc: block(0x01, 0x82), mac1: block(0x01, 0x01), mac2: block(0x01, 0x02) };
}

export const clientCryptogram = (k: Keys, rndA: Buffer, rndB: Buffer): Buffer => ecb(k.enc, Buffer.concat([rndA, rndB]));
export const serverCryptogram = (k: Keys, rndA: Buffer, rndB: Buffer): Buffer => ecb(k.enc, Buffer.concat([rndB, rndA]));
export const rmacI = (k: Keys, server: Buffer): Buffer => ecb(k.mac2, ecb(k.mac1, server));
export const equal = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

function padded(data: Buffer): Buffer {
  const out = Buffer.alloc((Math.floor(data.length / 16) + 1) * 16);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

export function mac(k: Keys, iv: Buffer, message: Buffer): Buffer {
  const blocks = message.length % 16 === 0 ? message : padded(message);
  const last = blocks.subarray(blocks.length - 16);
  const chain = blocks.length > 16 ? aes('cbc', k.mac1, iv, blocks.subarray(0, blocks.length - 16)).subarray(-16) : iv;
  return aes('cbc', k.mac2, chain, last);
}

const invert = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ 0xff));

export const encrypt = (k: Keys, otherMac: Buffer, data: Buffer): Buffer => aes('cbc', k.enc, invert(otherMac), padded(data));

/** Undefined when the data is not whole blocks or the 0x80 end marker is missing. */
export function decrypt(k: Keys, otherMac: Buffer, data: Buffer): Buffer | undefined {
  if (data.length === 0 || data.length % 16 !== 0) return undefined;
  const plain = aes('cbc', k.enc, invert(otherMac), data, true);
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0) end -= 1;
  return plain[end] === 0x80 ? plain.subarray(0, end) : undefined;
}
