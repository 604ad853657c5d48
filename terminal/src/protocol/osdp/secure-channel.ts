/**
 * Secure Channel cryptography (Annex D), AES-128 only: session keys from the SCBK, the client and
 * server cryptograms, the initial R-MAC, the MAC chain and data block encryption. Pure functions
 * of their inputs (randoms are passed in). Checked against the Annex E examples as published in
 * libosdp's tests/unit-tests/test-sc-sia-vectors.c, see secure-channel.test.ts.
 */
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { OsdpError } from './osdp-error.js';

/** Annex D: the default key SCBK-D, for installation only (bench; allowInstallMode). */
export const SCBK_D: Buffer = Buffer.from('303132333435363738393A3B3C3D3E3F', 'hex');

export interface SessionKeys {
  readonly sEnc: Buffer;
  readonly sMac1: Buffer;
  readonly sMac2: Buffer;
}

const BLOCK = 16;

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function aesCbc(key: Buffer, iv: Buffer, data: Buffer, decrypt = false): Buffer {
  const cipher = decrypt ? createDecipheriv('aes-128-cbc', key, iv) : createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

export function checkKey(key: Uint8Array, what = 'SCBK'): Buffer {
  if (key.length !== BLOCK) throw new OsdpError('OSDP_KEY_INVALID', `${what} must be 16 bytes`, { length: key.length });
  return Buffer.from(key);
}

/**
 * Annex D: S-ENC, S-MAC1, S-MAC2 = AES-ECB(SCBK, [01 82 | 01 01 | 01 02] || RND.A[0..5] || 00*8).
 */
export function deriveSessionKeys(scbk: Uint8Array, cpRandom: Buffer): SessionKeys {
  const key = checkKey(scbk);
  const derive = (b0: number, b1: number): Buffer => {
    const block = Buffer.alloc(BLOCK);
    block[0] = b0;
    block[1] = b1;
    cpRandom.copy(block, 2, 0, 6);
    return aesEcb(key, block);
  };
  return { sEnc: derive(0x01, 0x82), sMac1: derive(0x01, 0x01), sMac2: derive(0x01, 0x02) };
}

/** Client (PD) cryptogram, sent in osdp_CCRYPT: AES-ECB(S-ENC, RND.A || RND.B). */
export function clientCryptogram(keys: SessionKeys, cpRandom: Buffer, pdRandom: Buffer): Buffer {
  return aesEcb(keys.sEnc, Buffer.concat([cpRandom, pdRandom]));
}

/** Server (CP) cryptogram, sent in osdp_SCRYPT: AES-ECB(S-ENC, RND.B || RND.A). */
export function serverCryptogram(keys: SessionKeys, cpRandom: Buffer, pdRandom: Buffer): Buffer {
  return aesEcb(keys.sEnc, Buffer.concat([pdRandom, cpRandom]));
}

/** Initial R-MAC, sent in osdp_RMAC_I: AES-ECB(S-MAC2, AES-ECB(S-MAC1, server cryptogram)). */
export function initialRmac(keys: SessionKeys, serverCrypt: Buffer): Buffer {
  return aesEcb(keys.sMac2, aesEcb(keys.sMac1, serverCrypt));
}

/** Constant-time comparison of equal-length byte strings. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Annex D MAC: the message (SOM .. DATA) is padded with 0x80 then zeros to a whole block when it
 * is not one already; blocks B1..Bn-1 go through AES-CBC under S-MAC1 with IV = the last MAC of
 * the other direction (R-MAC for a command, C-MAC for a reply); Bn is then encrypted under S-MAC2
 * chained on the previous block. The 16-byte result is the new C-MAC / R-MAC; 4 bytes go on the
 * wire.
 */
export function computeMac(keys: SessionKeys, iv: Buffer, message: Buffer): Buffer {
  const padded = message.length % BLOCK === 0 && message.length > 0 ? message : pad(message);
  let chain = iv;
  if (padded.length > BLOCK) {
    const head = aesCbc(keys.sMac1, iv, padded.subarray(0, padded.length - BLOCK));
    chain = head.subarray(head.length - BLOCK);
  }
  return aesCbc(keys.sMac2, chain, padded.subarray(padded.length - BLOCK));
}

function pad(data: Buffer): Buffer {
  const padded = Buffer.alloc(Math.ceil((data.length + 1) / BLOCK) * BLOCK);
  data.copy(padded);
  padded[data.length] = 0x80;
  return padded;
}

const complement = (mac: Buffer): Buffer => Buffer.from(mac.map((b) => ~b & 0xff));

/**
 * Annex D data encryption (SCS_17, SCS_18): DATA + 0x80 + zeros to a whole block, AES-CBC under
 * S-ENC with IV = the bitwise complement of the other direction's last MAC.
 */
export function encryptData(keys: SessionKeys, lastOtherMac: Buffer, data: Buffer): Buffer {
  return aesCbc(keys.sEnc, complement(lastOtherMac), pad(data));
}

export function decryptData(keys: SessionKeys, lastOtherMac: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new OsdpError('OSDP_SC_FAILED', 'encrypted data is not a whole number of blocks', { length: data.length });
  }
  const plain = aesCbc(keys.sEnc, complement(lastOtherMac), data, true);
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0x00) end -= 1;
  if (plain[end] !== 0x80) throw new OsdpError('OSDP_SC_FAILED', 'decrypted data lacks the 0x80 end marker');
  return Buffer.from(plain.subarray(0, end));
}

export interface KeyChoice {
  /** The site key for this PD; absent only in install mode. */
  readonly scbk?: Uint8Array;
  /** Connect with the default key SCBK-D (a PD fresh from the factory). */
  readonly installMode?: boolean;
  /** Bench switch: without it, install mode is refused. */
  readonly allowInstallMode?: boolean;
}

/** The key to run the handshake with, and whether it is SCBK-D (SCS_11 data byte 0) or SCBK (1). */
export function resolveScbk(choice: KeyChoice): { readonly key: Buffer; readonly isDefaultKey: boolean } {
  if (choice.installMode === true) {
    if (choice.allowInstallMode !== true) {
      throw new OsdpError('OSDP_INSTALL_MODE_REFUSED', 'install mode (default key SCBK-D) is for the bench only: set allowInstallMode to use it');
    }
    return { key: SCBK_D, isDefaultKey: true };
  }
  if (choice.scbk === undefined) {
    throw new OsdpError('OSDP_KEY_INVALID', 'no SCBK configured for a secure PD (install mode needs installMode and allowInstallMode)');
  }
  return { key: checkKey(choice.scbk), isDefaultKey: false };
}
