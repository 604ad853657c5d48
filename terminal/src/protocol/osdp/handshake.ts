/**
 * The CP side of the Secure Channel handshake (Annex D; 6.17 osdp_CHLNG, 6.18 osdp_SCRYPT):
 *   CP osdp_CHLNG(RND.A)            SCS_11, data byte 1 = SCBK, 0 = SCBK-D
 *   PD osdp_CCRYPT(cUID, RND.B, client cryptogram)   SCS_12
 *   CP osdp_SCRYPT(server cryptogram)                SCS_13
 *   PD osdp_RMAC_I(initial R-MAC)   SCS_14, data byte 1 = the PD accepted the server cryptogram
 * A wrong key shows as a client cryptogram that does not verify: the CP stops there.
 */
import { SCS } from './codes.js';
import type { OsdpCommand } from './commands.js';
import type { SecurityBlock } from './frame.js';
import { OsdpError } from './osdp-error.js';
import type { OsdpReply } from './replies.js';
import { clientCryptogram, deriveSessionKeys, initialRmac, sameBytes, serverCryptogram, type SessionKeys } from './secure-channel.js';
import { SecureSession } from './secure-session.js';

export interface HandshakeStep {
  readonly command: OsdpCommand;
  readonly scb: SecurityBlock;
}

export class CpHandshake {
  private keys: SessionKeys | undefined;
  private serverCrypt: Buffer | undefined;
  private clientUidValue: Buffer | undefined;

  constructor(
    private readonly scbk: Buffer,
    private readonly isDefaultKey: boolean,
    private readonly cpRandom: Buffer,
  ) {
    if (cpRandom.length !== 8) throw new OsdpError('OSDP_MESSAGE_INVALID', 'RND.A must be 8 bytes');
  }

  private get keyByte(): Buffer {
    return Buffer.from([this.isDefaultKey ? 0x00 : 0x01]);
  }

  /** The PD's client UID from osdp_CCRYPT (for logs and key diversification). */
  get clientUid(): Buffer | undefined {
    return this.clientUidValue;
  }

  challenge(): HandshakeStep {
    return { command: { kind: 'chlng', cpRandom: this.cpRandom }, scb: { type: SCS.CHLNG, data: this.keyByte } };
  }

  /** Checks the PD's cryptogram (proves it holds the key) and returns osdp_SCRYPT. */
  onCcrypt(reply: OsdpReply, scb: SecurityBlock | undefined): HandshakeStep {
    if (reply.kind !== 'ccrypt' || scb?.type !== SCS.CCRYPT) {
      throw new OsdpError('OSDP_SC_FAILED', 'osdp_CHLNG was not answered with osdp_CCRYPT (SCS_12)', { reply: reply.kind });
    }
    const keys = deriveSessionKeys(this.scbk, this.cpRandom);
    if (!sameBytes(clientCryptogram(keys, this.cpRandom, reply.pdRandom), reply.clientCryptogram)) {
      throw new OsdpError('OSDP_SC_FAILED', 'client cryptogram does not verify: the PD holds another key', { defaultKey: this.isDefaultKey });
    }
    this.keys = keys;
    this.clientUidValue = reply.clientUid;
    this.serverCrypt = serverCryptogram(keys, this.cpRandom, reply.pdRandom);
    return { command: { kind: 'scrypt', serverCryptogram: this.serverCrypt }, scb: { type: SCS.SCRYPT, data: this.keyByte } };
  }

  /** Checks osdp_RMAC_I against our own computation and opens the session. */
  onRmacI(reply: OsdpReply, scb: SecurityBlock | undefined): SecureSession {
    if (this.keys === undefined || this.serverCrypt === undefined) throw new OsdpError('OSDP_SC_FAILED', 'osdp_RMAC_I before osdp_CCRYPT');
    if (reply.kind !== 'rmac_i' || scb?.type !== SCS.RMAC_I) {
      throw new OsdpError('OSDP_SC_FAILED', 'osdp_SCRYPT was not answered with osdp_RMAC_I (SCS_14)', { reply: reply.kind });
    }
    if (scb.data[0] !== 0x01) throw new OsdpError('OSDP_SC_FAILED', 'the PD rejected our server cryptogram');
    const expected = initialRmac(this.keys, this.serverCrypt);
    if (!sameBytes(expected, reply.rmacI)) throw new OsdpError('OSDP_SC_FAILED', 'initial R-MAC does not verify');
    return new SecureSession('cp', this.keys, expected);
  }
}
