/** The simulator's own codec and crypto against SIA OSDP 2.2 Annex E (quoted in libosdp tests/unit-tests/test-sc-sia-vectors.c). */
import { describe, expect, it } from 'vitest';
import * as sc from './pd-crypto.js';
import { checksum, crc16, PacketReader } from './pd-wire.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('simulator wire format', () => {
  it('computes the Annex E CRC and checksum examples', () => {
    expect(crc16(hex('537F0D00046E0080250000'))).toBe(0x386e);
    expect(crc16(hex('53000900046100'))).toBe(0x66c0);
    expect(checksum(hex('537F0C00006E0080250000'))).toBe(0x0f);
    expect(checksum(hex('53000800006100'))).toBe(0x44);
  });

  it('reassembles split packets, skips garbage and counts bad ones', () => {
    const reader = new PacketReader();
    const id = hex('53000900046100C066');
    const bad = hex('53000900046100C067');
    expect(reader.feed(hex('FF0053'))).toEqual([]); // garbage, then a lone SOM
    expect(reader.feed(Buffer.concat([bad, id.subarray(0, 4)]))).toEqual([]);
    const [packet] = reader.feed(id.subarray(4));
    expect(packet).toMatchObject({ address: 0, reply: false, sqn: 0, code: 0x61, data: hex('00') });
    expect(reader.badPackets).toBe(1);
  });
});

describe('simulator Secure Channel arithmetic (Annex E, SCBK-D)', () => {
  const rndA = hex('B0B1B2B3B4B5B6B7');
  const rndB = hex('A0A1A2A3A4A5A6A7');
  const keys = sc.sessionKeys(sc.DEFAULT_SCBK, rndA);
  it('session keys, cryptograms and R-MAC-I', () => {
    expect(keys.enc).toEqual(hex('BF8DC2A8329ACB8C67C6D0CD9A451682'));
    expect(keys.mac1).toEqual(hex('5E86C676603BDEE2D8BEAFE178637332'));
    expect(keys.mac2).toEqual(hex('6FDA86E857777E81132035758239172E'));
    expect(sc.clientCryptogram(keys, rndA, rndB)).toEqual(hex('FDE5D2F428EC16312471EA3C02BD7796'));
    const server = sc.serverCryptogram(keys, rndA, rndB);
    expect(server).toEqual(hex('26D3356E07762D262801FC8E6665A891'));
    expect(sc.rmacI(keys, server)).toEqual(hex('B2A30057EB98BA2229EC1F875662B524'));
  });

  it('MAC and data blocks (libosdp test-sc.c, NIST SP 800-38A F.2.1 key and IV)', () => {
    const nist = { enc: hex('2B7E151628AED2A6ABF7158809CF4F3C'), mac1: hex('2B7E151628AED2A6ABF7158809CF4F3C'), mac2: hex('2B7E151628AED2A6ABF7158809CF4F3C') };
    const iv = hex('000102030405060708090A0B0C0D0E0F');
    expect(sc.mac(nist, iv, hex('000102030405060708090A0B0C0D0E'))).toEqual(hex('C5311F3D23D086EA86F5EE7F85247B40'));
    const notIv = Buffer.from(iv.map((b) => b ^ 0xff));
    expect(sc.encrypt(nist, notIv, Buffer.alloc(0))).toEqual(hex('4C08220C79D9191022DC6674874CEAF8'));
    expect(sc.decrypt(nist, notIv, hex('C5311F3D23D086EA86F5EE7F85247B40'))).toEqual(hex('000102030405060708090A0B0C0D0E'));
    expect(sc.decrypt(nist, notIv, Buffer.alloc(15))).toBeUndefined();
  });
});
