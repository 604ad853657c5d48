/**
 * The control panel's side of the line (5.4 channel access): one command at a time, the reply
 * matched by address and sequence number, a reply timeout on the scheduler. Replies nobody waits
 * for (late, foreign) are counted and dropped. Serial traffic is logged at trace, in hex.
 */
import type { Logger } from 'pino';
import { FrameParser, OsdpError, type DecodedFrame } from '../../protocol/osdp/index.js';
import type { ByteStream } from '../../ports/byte-stream.js';
import type { Scheduler } from './scheduler.js';

interface Waiter {
  readonly address: number;
  readonly sqn: number;
  readonly resolve: (frame: DecodedFrame | undefined) => void;
}

export interface BusStats {
  sent: number;
  timeouts: number;
  strayReplies: number;
}

export class CpBus {
  private readonly parser = new FrameParser();
  private waiter: Waiter | undefined;
  private closed = false;
  private readonly unsubscribe: () => void;
  readonly stats: BusStats = { sent: 0, timeouts: 0, strayReplies: 0 };

  constructor(
    private readonly stream: ByteStream,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {
    this.unsubscribe = stream.onData((chunk) => {
      if (this.log.isLevelEnabled('trace')) this.log.trace({ rx: chunk.toString('hex') }, 'osdp rx');
      for (const frame of this.parser.push(chunk)) this.onFrame(frame);
    });
  }

  get parserStats(): FrameParser['stats'] {
    return this.parser.stats;
  }

  private onFrame(frame: DecodedFrame): void {
    const waiter = this.waiter;
    if (waiter !== undefined && frame.isReply && frame.address === waiter.address && frame.sqn === waiter.sqn) {
      this.waiter = undefined;
      waiter.resolve(frame);
      return;
    }
    this.stats.strayReplies += 1;
    this.log.debug({ address: frame.address, sqn: frame.sqn, code: frame.code }, 'osdp: dropped a packet nobody waits for');
  }

  /** Send one packet and wait up to timeoutMs (from the end of the write) for its reply. */
  async request(packet: Buffer, address: number, sqn: number, timeoutMs: number): Promise<DecodedFrame | undefined> {
    if (this.closed) throw new OsdpError('OSDP_STOPPED', 'the OSDP line is closed', { address });
    let cancel: () => void = () => undefined;
    const reply = new Promise<DecodedFrame | undefined>((resolve) => {
      this.waiter = { address, sqn, resolve };
    });
    if (this.log.isLevelEnabled('trace')) this.log.trace({ tx: packet.toString('hex') }, 'osdp tx');
    try {
      await this.stream.write(packet);
    } catch (err) {
      this.waiter = undefined;
      throw new OsdpError('OSDP_PORT_FAILURE', 'could not write to the OSDP line', { address }, { cause: err });
    }
    this.stats.sent += 1;
    cancel = this.scheduler.after(timeoutMs, () => {
      // Quiet line with bytes buffered: a noise SOM may hide the reply (5.8); rescan first.
      for (const frame of this.parser.resync()) this.onFrame(frame);
      const waiter = this.waiter;
      if (waiter === undefined) return;
      this.waiter = undefined;
      this.stats.timeouts += 1;
      waiter.resolve(undefined);
    });
    const frame = await reply;
    cancel();
    return frame;
  }

  /** Stop: a pending request resolves as unanswered and later ones throw OSDP_STOPPED. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.waiter?.resolve(undefined);
    this.waiter = undefined;
  }
}
