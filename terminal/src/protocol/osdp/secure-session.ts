/**
 * An established Secure Channel session (Annex D), for either end: seal() wraps an outgoing
 * message (security block SCS_15/17 from the CP, SCS_16/18 from the PD, data encrypted when
 * there is any, 4-byte MAC), open() checks an incoming one (MAC first, then decryption) and
 * advances the MAC chain. Any failure throws OSDP_SC_FAILED: the caller must drop the session
 * and run the handshake again (Annex D: a MAC that does not verify ends the secure channel).
 */
import { SCS } from './codes.js';
import { encodeFrame, macInput, receivedMacInput, type DecodedFrame } from './frame.js';
import { OsdpError } from './osdp-error.js';
import { computeMac, decryptData, encryptData, sameBytes, type SessionKeys } from './secure-channel.js';

export type SecureRole = 'cp' | 'pd';

export interface PlainMessage {
  readonly address: number;
  readonly sqn: number;
  readonly code: number;
  readonly data: Buffer;
  readonly useCrc?: boolean;
}

const EMPTY = Buffer.alloc(0);
const MAC_ONLY = { cp: SCS.CMD_MAC, pd: SCS.REPLY_MAC } as const;
const MAC_ENC = { cp: SCS.CMD_MAC_ENC, pd: SCS.REPLY_MAC_ENC } as const;

export class SecureSession {
  /** Last MAC of a command (C-MAC) and of a reply (R-MAC), 16 bytes each. */
  private cMac: Buffer = Buffer.alloc(16);
  private rMac: Buffer;

  /** rmacI: the initial R-MAC both ends computed during the handshake. */
  constructor(
    readonly role: SecureRole,
    private readonly keys: SessionKeys,
    rmacI: Buffer,
  ) {
    this.rMac = Buffer.from(rmacI);
  }

  private get peer(): SecureRole {
    return this.role === 'cp' ? 'pd' : 'cp';
  }

  /** The last MAC of the other direction: the IV of our MAC, complemented the IV of our data. */
  private lastMacOf(side: SecureRole): Buffer {
    return side === 'cp' ? this.cMac : this.rMac;
  }

  private store(side: SecureRole, mac: Buffer): void {
    if (side === 'cp') this.cMac = mac;
    else this.rMac = mac;
  }

  /** Encode an outgoing message with MAC (and encrypted data when it has data). */
  seal(message: PlainMessage): Buffer {
    const iv = this.lastMacOf(this.peer);
    const encrypted = message.data.length > 0;
    const frame = {
      address: message.address,
      isReply: this.role === 'pd',
      sqn: message.sqn,
      useCrc: message.useCrc ?? true,
      scb: { type: encrypted ? MAC_ENC[this.role] : MAC_ONLY[this.role], data: EMPTY },
      code: message.code,
      data: encrypted ? encryptData(this.keys, iv, message.data) : EMPTY,
      mac: Buffer.alloc(4),
    };
    const mac = computeMac(this.keys, iv, macInput(frame));
    this.store(this.role, mac);
    return encodeFrame({ ...frame, mac: mac.subarray(0, 4) });
  }

  /** Verify and decrypt an incoming message; returns its code and plain data. */
  open(frame: DecodedFrame): { code: number; data: Buffer } {
    const type = frame.scb?.type;
    if (type !== MAC_ONLY[this.peer] && type !== MAC_ENC[this.peer]) {
      throw new OsdpError('OSDP_SC_FAILED', 'message without the secure block expected in an open session', { type });
    }
    const iv = this.lastMacOf(this.role);
    const mac = computeMac(this.keys, iv, receivedMacInput(frame));
    if (frame.mac === undefined || !sameBytes(mac.subarray(0, 4), frame.mac)) {
      throw new OsdpError('OSDP_SC_FAILED', 'MAC does not verify', { code: frame.code });
    }
    this.store(this.peer, mac);
    // SCS_15/16: authenticated, data (if any) in clear.
    if (type === MAC_ONLY[this.peer]) return { code: frame.code, data: frame.data };
    return { code: frame.code, data: decryptData(this.keys, iv, frame.data) };
  }
}
