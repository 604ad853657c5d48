/**
 * Bringing a PD online: osdp_ID (sequence 0 restarts the PD, 5.9), osdp_CAP, then, for a secure
 * PD, the Secure Channel handshake (Annex D: CHLNG, CCRYPT, SCRYPT, RMAC_I) after which every
 * packet is sealed, and a first osdp_ISTAT so the input states are known before any release.
 * Only ID, CAP and the handshake travel in clear (OSDP Verified 050-09-18).
 */
import { CpHandshake, OsdpError, resolveScbk, type OsdpReply } from '../../protocol/osdp/index.js';
import type { CpExchange } from './cp-exchange.js';
import type { PdLink } from './pd-link.js';

function expectReply<K extends OsdpReply['kind']>(reply: OsdpReply, kind: K, step: string): Extract<OsdpReply, { kind: K }> {
  if (reply.kind !== kind) throw new OsdpError('OSDP_MESSAGE_INVALID', `${step} was answered with ${reply.kind}`, { expected: kind });
  return reply as Extract<OsdpReply, { kind: K }>;
}

export async function connectLink(exchange: CpExchange, link: PdLink, random: (bytes: number) => Buffer): Promise<void> {
  link.restart();
  link.phase = 'connecting';
  const id = await exchange.transact(link, { command: { kind: 'id' } });
  const { kind: _id, ...identity } = expectReply(id.reply, 'pdid', 'osdp_ID');
  link.identity = identity;
  const cap = await exchange.transact(link, { command: { kind: 'cap' } });
  link.capabilities = expectReply(cap.reply, 'pdcap', 'osdp_CAP').capabilities;
  if (link.secure) {
    if (!link.supportsSecureChannel) {
      throw new OsdpError('OSDP_SC_FAILED', `${link.name} does not offer the Secure Channel (PDCAP function 9): refusing plain traffic`);
    }
    const { key, isDefaultKey } = resolveScbk(link.keyChoice);
    const handshake = new CpHandshake(key, isDefaultKey, random(8));
    const ccrypt = await exchange.transact(link, handshake.challenge());
    const rmac = await exchange.transact(link, handshake.onCcrypt(ccrypt.reply, ccrypt.frame.scb));
    link.session = handshake.onRmacI(rmac.reply, rmac.frame.scb);
  }
  if (link.inputCount > 0) {
    const status = await exchange.transact(link, { command: { kind: 'istat' } });
    link.inputs = [...expectReply(status.reply, 'istatr', 'osdp_ISTAT').inputs];
  }
}
