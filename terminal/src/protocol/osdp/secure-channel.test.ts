/**
 * Secure Channel (Annex D) against published vectors:
 *  - SIA OSDP 2.2 Annex E (SCBK-D, RND.A = B0..B7, RND.B = A0..A7): session keys, cryptograms and
 *    R-MAC-I, as quoted in libosdp tests/unit-tests/test-sc-sia-vectors.c (goToMain/libosdp);
 *  - the MAC and data-block vectors of libosdp tests/unit-tests/test-sc.c, built on NIST SP
 *    800-38A F.2.1 (AES-128-CBC).
 * Whole secure packets (MAC chain + encryption) are checked against golden/independent_osdp.py,
 * an independent Python implementation using the `cryptography` package.
 */
import { describe, expect, it } from 'vitest';
import { crc16 } from './check.js';
import { encodeCommand } from './commands.js';
import { decodeFrame } from './frame.js';
import { CpHandshake } from './handshake.js';
import { isOsdpError } from './osdp-error.js';
import { encodeReply } from './replies.js';
import * as sc from './secure-channel.js';
import { SecureSession } from './secure-session.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const RND_A = hex('B0B1B2B3B4B5B6B7');
const RND_B = hex('A0A1A2A3A4A5A6A7');
const ANNEX_E = {
  sMac1: '5E86C676603BDEE2D8BEAFE178637332',
  sMac2: '6FDA86E857777E81132035758239172E',
  sEnc: 'BF8DC2A8329ACB8C67C6D0CD9A451682',
  serverCryptogram: '26D3356E07762D262801FC8E6665A891',
  clientCryptogram: 'FDE5D2F428EC16312471EA3C02BD7796',
  rmacI: 'B2A30057EB98BA2229EC1F875662B524',
};
const NIST_KEY = hex('2B7E151628AED2A6ABF7158809CF4F3C');
const NIST_IV = hex('000102030405060708090A0B0C0D0E0F');
const NIST_PT = hex(`6BC1BEE22E409F96E93D7E117393172A AE2D8A571E03AC9C9EB76FAC45AF8E51
  30C81C46A35CE411E5FBC1191A0A52EF F69F2445DF4F9B17AD2B417BE66C3710`);
const keys = sc.deriveSessionKeys(sc.SCBK_D, RND_A);
const not = (b: Buffer): Buffer => Buffer.from(b.map((x) => ~x & 0xff));

describe('Annex E vectors (SCBK-D)', () => {
  it('derives S-ENC, S-MAC1, S-MAC2', () => {
    expect(keys.sEnc).toEqual(hex(ANNEX_E.sEnc));
    expect(keys.sMac1).toEqual(hex(ANNEX_E.sMac1));
    expect(keys.sMac2).toEqual(hex(ANNEX_E.sMac2));
  });

  it('computes the client and server cryptograms and R-MAC-I', () => {
    expect(sc.clientCryptogram(keys, RND_A, RND_B)).toEqual(hex(ANNEX_E.clientCryptogram));
    expect(sc.serverCryptogram(keys, RND_A, RND_B)).toEqual(hex(ANNEX_E.serverCryptogram));
    expect(sc.initialRmac(keys, hex(ANNEX_E.serverCryptogram))).toEqual(hex(ANNEX_E.rmacI));
  });
});

describe('MAC and data blocks (libosdp test-sc.c, NIST SP 800-38A F.2.1)', () => {
  const nist = { sEnc: NIST_KEY, sMac1: NIST_KEY, sMac2: NIST_KEY };
  it('MAC of one block, four blocks, and a partial block padded with 0x80', () => {
    expect(sc.computeMac(nist, NIST_IV, NIST_PT.subarray(0, 16))).toEqual(hex('7649ABAC8119B246CEE98E9B12E9197D'));
    expect(sc.computeMac(nist, NIST_IV, NIST_PT)).toEqual(hex('3FF1CAA1681FAC09120ECA307586E1A7'));
    expect(sc.computeMac(nist, NIST_IV, hex('000102030405060708090A0B0C0D0E'))).toEqual(hex('C5311F3D23D086EA86F5EE7F85247B40'));
  });

  it('encrypts with IV = ~last MAC and always appends the 0x80 marker', () => {
    const lastMac = not(NIST_IV);
    expect(sc.encryptData(nist, lastMac, Buffer.alloc(0))).toEqual(hex('4C08220C79D9191022DC6674874CEAF8'));
    expect(sc.encryptData(nist, lastMac, hex('000102030405060708090A0B0C0D0E'))).toEqual(hex('C5311F3D23D086EA86F5EE7F85247B40'));
    const two = sc.encryptData(nist, lastMac, hex('000102030405060708090A0B0C0D0E0F'));
    expect(two).toEqual(hex('7DF76B0C1AB899B33E42F047B91B546F E2FE5BD6C1DFCDD19124F03E1A134D3B'));
    expect(sc.decryptData(nist, lastMac, two)).toEqual(hex('000102030405060708090A0B0C0D0E0F'));
  });

  it('refuses data that is not whole blocks or lacks the end marker', () => {
    expect(() => sc.decryptData(nist, NIST_IV, Buffer.alloc(15))).toThrow(/blocks/);
    const noMarker = sc.encryptData(nist, NIST_IV, Buffer.alloc(0)).fill(0x11);
    expect(() => sc.decryptData(nist, NIST_IV, noMarker)).toThrow(/marker/);
  });
});

describe('secure packets against the independent Python implementation', () => {
  const cp = (): SecureSession => new SecureSession('cp', keys, hex(ANNEX_E.rmacI));
  const pd = (): SecureSession => new SecureSession('pd', keys, hex(ANNEX_E.rmacI));
  const out = encodeCommand({ kind: 'out', outputs: [{ output: 0, control: 5, timerMs: 3000 }] });

  it('CP and PD produce and accept the same MAC chain', () => {
    const [c, p] = [cp(), pd()];
    const outBytes = c.seal({ address: 0, sqn: 2, ...out });
    expect(outBytes.toString('hex')).toBe('53001e000e021768e6d49d709711de71293db111470e7a2baf3b40a43bad');
    expect(p.open(decodeFrame(outBytes))).toEqual({ code: 0x68, data: out.data });
    const ack = p.seal({ address: 0, sqn: 2, ...encodeReply({ kind: 'ack' }) });
    expect(ack.toString('hex')).toBe('53800e000e021640c3a6c602b035');
    expect(c.open(decodeFrame(ack)).code).toBe(0x40);
    const poll = c.seal({ address: 0, sqn: 3, code: 0x60, data: Buffer.alloc(0) });
    expect(poll.toString('hex')).toBe('53000e000f02156050595b131ac3');
    p.open(decodeFrame(poll));
    const istatr = p.seal({ address: 0, sqn: 3, ...encodeReply({ kind: 'istatr', inputs: [true, false] }) });
    expect(istatr.toString('hex')).toBe('53801e000f021849e9b9b4395077626630aef698b521a69bfdf101493e89');
    expect(c.open(decodeFrame(istatr)).data).toEqual(hex('0100'));
  });

  it('rejects a tampered MAC or data byte, a replay after the chain moved on, and a plain packet', () => {
    const [c, p] = [cp(), pd()];
    const bytes = c.seal({ address: 0, sqn: 1, ...out });
    const flipped = (at: number): Buffer => {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 0x01;
      copy.writeUInt16LE(crc16(copy, 0, copy.length - 2), copy.length - 2); // a valid CRC: only the MAC can tell
      return copy;
    };
    expect(() => p.open(decodeFrame(flipped(bytes.length - 3)))).toThrow(/MAC/);
    expect(() => p.open(decodeFrame(flipped(8)))).toThrow(/MAC/);
    expect(p.open(decodeFrame(bytes)).code).toBe(0x68);
    p.seal({ address: 0, sqn: 1, ...encodeReply({ kind: 'ack' }) });
    expect(() => p.open(decodeFrame(bytes))).toThrow(/MAC/);
    expect(() => p.open(decodeFrame(hex('530008000560DA99')))).toThrow(/secure block/);
  });
});

describe('handshake and key policy', () => {
  it('runs CHLNG/CCRYPT/SCRYPT/RMAC_I and opens a session that talks to the PD', () => {
    const hs = new CpHandshake(sc.SCBK_D, true, RND_A);
    expect(hs.challenge().scb).toEqual({ type: 0x11, data: hex('00') });
    const ccrypt = { kind: 'ccrypt' as const, clientUid: hex('0102030405060708'), pdRandom: RND_B, clientCryptogram: hex(ANNEX_E.clientCryptogram) };
    const step = hs.onCcrypt(ccrypt, { type: 0x12, data: hex('00') });
    expect(step.command).toEqual({ kind: 'scrypt', serverCryptogram: hex(ANNEX_E.serverCryptogram) });
    const session = hs.onRmacI({ kind: 'rmac_i', rmacI: hex(ANNEX_E.rmacI) }, { type: 0x14, data: hex('01') });
    const p = new SecureSession('pd', keys, hex(ANNEX_E.rmacI));
    expect(p.open(decodeFrame(session.seal({ address: 0, sqn: 1, code: 0x60, data: Buffer.alloc(0) }))).code).toBe(0x60);
  });

  it('stops when the PD holds another key', () => {
    const hs = new CpHandshake(hex('00112233445566778899AABBCCDDEEFF'), false, RND_A);
    const ccrypt = { kind: 'ccrypt' as const, clientUid: Buffer.alloc(8), pdRandom: RND_B, clientCryptogram: hex(ANNEX_E.clientCryptogram) };
    expect(() => hs.onCcrypt(ccrypt, { type: 0x12, data: hex('01') })).toThrow(/another key/);
  });

  it('allows the default key only with allowInstallMode', () => {
    expect(() => sc.resolveScbk({ installMode: true })).toThrow(expect.objectContaining({ code: 'OSDP_INSTALL_MODE_REFUSED' }));
    expect(sc.resolveScbk({ installMode: true, allowInstallMode: true })).toEqual({ key: sc.SCBK_D, isDefaultKey: true });
    expect(() => sc.resolveScbk({})).toThrow(expect.objectContaining({ code: 'OSDP_KEY_INVALID' }));
    const err = (() => { try { sc.resolveScbk({ scbk: Buffer.alloc(8) }); } catch (e) { return e; } return undefined; })();
    expect(isOsdpError(err, 'OSDP_KEY_INVALID')).toBe(true);
  });
});
