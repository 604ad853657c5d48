/**
 * The simulated PD's Secure Channel state (Annex D): the handshake (osdp_CHLNG -> CCRYPT,
 * osdp_SCRYPT -> RMAC_I), then every command checked (MAC, decryption) and every reply sealed
 * (SCS_16 / SCS_18). Any failure ends the session; the caller answers NAK 0x06 in clear.
 */
import * as sc from './pd-crypto.js';
import { replies, type Reply } from './pd-messages.js';
import { packetHead, withCrc, type Packet } from './pd-wire.js';

export interface HandshakeReply {
  readonly reply: Reply;
  readonly scb: readonly [number, number];
}

export class PdSecureChannel {
  private handshake: { keys: sc.Keys; rndA: Buffer; rndB: Buffer } | undefined;
  private session: { keys: sc.Keys; cMac: Buffer; rMac: Buffer } | undefined;
  macFailures = 0;

  get active(): boolean {
    return this.session !== undefined;
  }

  reset(): void {
    this.session = undefined;
    this.handshake = undefined;
  }

  /** osdp_CHLNG with the chosen key: keys from RND.A, our RND.B, the client cryptogram. */
  challenge(key: Buffer, keyByte: number, rndA: Buffer, rndB: Buffer, serial: number): HandshakeReply {
    const keys = sc.sessionKeys(key, rndA);
    this.handshake = { keys, rndA, rndB };
    const uid = Buffer.alloc(8);
    uid.writeUInt32LE(serial, 4);
    return { reply: replies.ccrypt(uid, rndB, sc.clientCryptogram(keys, rndA, rndB)), scb: [0x12, keyByte] };
  }

  /** osdp_SCRYPT: a good server cryptogram opens the session (SCS_14 data 1), a bad one does not (0). */
  confirm(cryptogram: Buffer): HandshakeReply | undefined {
    const h = this.handshake;
    if (h === undefined) return undefined;
    this.handshake = undefined;
    const server = sc.serverCryptogram(h.keys, h.rndA, h.rndB);
    const ok = sc.equal(server, cryptogram);
    const rmac = sc.rmacI(h.keys, server);
    if (ok) this.session = { keys: h.keys, cMac: Buffer.alloc(16), rMac: rmac };
    return { reply: replies.rmacI(rmac), scb: [0x14, ok ? 1 : 0] };
  }

  /** Check a sealed command; its plain data, or undefined (session dropped) on any failure. */
  open(p: Packet): Buffer | undefined {
    const s = this.session;
    if (s === undefined || p.mac === undefined || (p.scbType !== 0x15 && p.scbType !== 0x17)) return this.fail();
    const mac = sc.mac(s.keys, s.rMac, p.signed);
    if (!sc.equal(mac.subarray(0, 4), p.mac)) return this.fail(true);
    s.cMac = mac;
    if (p.scbType === 0x15) return p.data;
    return sc.decrypt(s.keys, s.rMac, p.data) ?? this.fail();
  }

  /** Seal a reply under the session (data encrypted when there is any). */
  seal(base: { address: number; sqn: number }, reply: Reply): Buffer {
    const s = this.session;
    if (s === undefined) throw new Error('seal() without a session');
    const encrypted = reply.data.length > 0;
    const data = encrypted ? sc.encrypt(s.keys, s.cMac, reply.data) : Buffer.alloc(0);
    const head = packetHead({ ...base, reply: true, code: reply.code, data, scbType: encrypted ? 0x18 : 0x16 });
    s.rMac = sc.mac(s.keys, s.cMac, head);
    return withCrc(Buffer.concat([head, s.rMac.subarray(0, 4)]));
  }

  private fail(badMac = false): undefined {
    if (badMac) this.macFailures += 1;
    this.reset();
    return undefined;
  }
}
