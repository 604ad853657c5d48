/**
 * One command/reply exchange with a PD: encode (sealed under the session when there is one),
 * send, resend the same bytes on timeout (5.4), open and decode the reply. Failures:
 *  - no reply after the retries: OSDP_PD_OFFLINE (the caller takes the PD offline);
 *  - a reply whose MAC or encryption fails, or a plain reply inside a session: OSDP_SC_FAILED,
 *    after the link is restarted (Annex D: the session ends; the caller reconnects);
 *  - osdp_NAK: OSDP_NAK with the reason; a sequence or security NAK also restarts the link.
 */
import {
  NAK_REASON,
  NAK_TEXT,
  OsdpError,
  carriesMac,
  decodeReply,
  encodeCommand,
  encodeFrame,
  isOsdpError,
  type DecodedFrame,
  type OsdpCommand,
  type OsdpReply,
  type SecurityBlock,
} from '../../protocol/osdp/index.js';
import type { CpBus } from './cp-bus.js';
import type { ResolvedOptions } from './cp-options.js';
import type { PdLink } from './pd-link.js';
import { sleep, type Scheduler } from './scheduler.js';

export interface Outgoing {
  readonly command: OsdpCommand;
  /** Handshake messages carry their own security block (SCS_11, SCS_13). */
  readonly scb?: SecurityBlock;
}

export interface Exchanged {
  readonly reply: OsdpReply;
  readonly frame: DecodedFrame;
}

const RESTARTING_NAKS: ReadonlySet<number> = new Set([NAK_REASON.SEQUENCE, NAK_REASON.SC_UNSUPPORTED, NAK_REASON.SC_CONDITIONS]);

export class CpExchange {
  constructor(
    private readonly bus: CpBus,
    private readonly scheduler: Scheduler,
    private readonly options: ResolvedOptions,
    private readonly onSecureChannelLost: (link: PdLink, reason: string) => void,
  ) {}

  async transact(link: PdLink, out: Outgoing): Promise<Exchanged> {
    const { code, data } = encodeCommand(out.command);
    const sqn = link.nextSqn();
    const useCrc = this.options.useCrc;
    const packet =
      link.session !== undefined
        ? link.session.seal({ address: link.address, sqn, code, data, useCrc })
        : encodeFrame({ address: link.address, isReply: false, sqn, useCrc, code, data, ...(out.scb === undefined ? {} : { scb: out.scb }) });
    for (let attempt = 1; ; attempt += 1) {
      const frame = await this.bus.request(packet, link.address, sqn, this.options.replyTimeoutMs);
      if (frame === undefined) {
        link.missed += 1;
        if (attempt > this.options.retries || link.missed >= this.options.offlineAfterMissed) {
          throw new OsdpError('OSDP_PD_OFFLINE', `no reply from ${link.name} after ${attempt} attempt(s)`, { address: link.address, command: out.command.kind });
        }
        continue;
      }
      link.missed = 0;
      const reply = this.open(link, frame);
      if (reply.kind === 'nak' && reply.reason === NAK_REASON.CHECK && attempt <= this.options.retries) continue; // corrupted on the way: resend
      if (reply.kind === 'busy' && attempt <= this.options.retries) {
        await sleep(this.scheduler, this.options.busyRetryMs); // 7.19: ask again, same sequence number
        continue;
      }
      if (reply.kind === 'nak') {
        if (RESTARTING_NAKS.has(reply.reason)) this.lose(link, `PD sent NAK ${reply.reason}`);
        throw new OsdpError('OSDP_NAK', `${link.name} refused ${out.command.kind}: ${NAK_TEXT[reply.reason] ?? 'unknown reason'}`, {
          address: link.address,
          command: out.command.kind,
          reason: reply.reason,
        });
      }
      return { reply, frame };
    }
  }

  private lose(link: PdLink, reason: string): void {
    const hadSession = link.session !== undefined;
    link.restart();
    if (hadSession) this.onSecureChannelLost(link, reason);
  }

  private open(link: PdLink, frame: DecodedFrame): OsdpReply {
    try {
      if (link.session === undefined) {
        if (carriesMac(frame.scb)) throw new OsdpError('OSDP_SC_FAILED', 'secure reply outside a session', { address: link.address });
        return decodeReply(frame.code, frame.data);
      }
      if (frame.scb === undefined) {
        // The PD dropped the session (it answers in clear, e.g. NAK 6 after a bad MAC): so do we.
        const reply = decodeReply(frame.code, frame.data);
        this.lose(link, 'PD answered in clear inside the session');
        if (reply.kind === 'nak') return reply;
        throw new OsdpError('OSDP_SC_FAILED', 'plain reply inside the secure session', { address: link.address, code: frame.code });
      }
      const opened = link.session.open(frame);
      return decodeReply(opened.code, opened.data);
    } catch (err) {
      if (isOsdpError(err, 'OSDP_SC_FAILED')) this.lose(link, err.message);
      throw err;
    }
  }
}
