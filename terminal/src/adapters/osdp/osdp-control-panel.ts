/**
 * The OSDP control panel (CP): owns one RS-485 line and the PDs on it. A single loop does one
 * exchange at a time (5.4): queued commands first (urgent ones, like a turnstile release, jump
 * the queue), then connections due, then osdp_POLL per online PD every pollIntervalMs. Events:
 * online, offline, input, card, secure-channel-lost, local-status.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { OsdpError, checkKey, isOsdpError, type OsdpCommand, type OsdpReply } from '../../protocol/osdp/index.js';
import type { ByteStream } from '../../ports/byte-stream.js';
import type { Clock } from '../../ports/clock.js';
import { CpBus } from './cp-bus.js';
import { connectLink } from './cp-connect.js';
import { CpExchange } from './cp-exchange.js';
import { resolveOptions, type ControlPanelOptions, type ResolvedOptions } from './cp-options.js';
import { TypedEvents } from './events.js';
import { LinkLifecycle } from './cp-lifecycle.js';
import { absorbReply, type ControlPanelEvents, type LinkSnapshot, snapshot } from './cp-state.js';
import { OsdpDevice } from './osdp-device.js';
import { createLinks, type PdLink } from './pd-link.js';
import type { Scheduler } from './scheduler.js';

export interface ControlPanelDeps {
  readonly stream: ByteStream;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly log: Logger;
  /** RND.A source (default node:crypto randomBytes); tests pass a fixed one. */
  readonly random?: (bytes: number) => Buffer;
}

interface Job {
  readonly link: PdLink;
  readonly command: OsdpCommand;
  readonly resolve: (reply: OsdpReply) => void;
  readonly reject: (err: unknown) => void;
}

export class OsdpControlPanel {
  readonly events: TypedEvents<ControlPanelEvents>;
  private readonly links = new Map<number, PdLink>();
  private readonly options: ResolvedOptions;
  private readonly bus: CpBus;
  private readonly exchange: CpExchange;
  private readonly queue: Job[] = [];
  private readonly log: Logger;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly lifecycle: LinkLifecycle;

  constructor(private readonly deps: ControlPanelDeps, options: ControlPanelOptions) {
    this.log = deps.log.child({ module: 'osdp-cp' });
    this.options = resolveOptions(options);
    this.events = new TypedEvents((event, err) => this.log.error({ err, event }, 'osdp event listener failed'));
    for (const link of createLinks(options.pds)) this.links.set(link.address, link);
    this.lifecycle = new LinkLifecycle(deps.clock, this.options, this.log, this.events, () => this.running);
    this.bus = new CpBus(deps.stream, deps.scheduler, this.log);
    this.exchange = new CpExchange(this.bus, deps.scheduler, this.options, (link, reason) => {
      this.log.warn({ address: link.address, reason }, 'osdp secure channel lost; reconnecting');
      this.events.emit('secure-channel-lost', { address: link.address, reason });
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.bus.close(); // ends an exchange in flight at once
    await this.loopDone;
    for (const job of this.queue.splice(0)) job.reject(new OsdpError('OSDP_STOPPED', 'control panel stopped'));
  }

  /** Queue one command for a PD; resolves with its reply. Refused at once when the PD is offline. */
  send(address: number, command: OsdpCommand, options: { urgent?: boolean } = {}): Promise<OsdpReply> {
    const link = this.link(address);
    if (!this.running) return Promise.reject(new OsdpError('OSDP_STOPPED', 'control panel not running'));
    if (link.phase !== 'online') return Promise.reject(new OsdpError('OSDP_PD_OFFLINE', `${link.name} is offline`, { address, lastError: link.lastError }));
    if (this.queue.length >= this.options.maxQueuedCommands) {
      return Promise.reject(new OsdpError('OSDP_QUEUE_FULL', 'OSDP command queue full', { address, queued: this.queue.length }));
    }
    return new Promise<OsdpReply>((resolve, reject) => {
      const job = { link, command, resolve, reject };
      if (options.urgent === true) this.queue.unshift(job);
      else this.queue.push(job);
      this.wake?.();
    });
  }

  /** KEYSET (6.16): give the PD a new SCBK inside the open session; both ends then reconnect with it. */
  async provisionKey(address: number, scbk: Uint8Array): Promise<void> {
    const link = this.link(address);
    if (link.session === undefined) throw new OsdpError('OSDP_SC_FAILED', 'osdp_KEYSET needs an open secure session (6.16)', { address });
    await this.send(address, { kind: 'keyset', keyType: 1, key: checkKey(scbk) });
  }

  /** The terminal's handle on one PD: led, buzz, text, output, inputs. */
  device(address: number): OsdpDevice {
    this.link(address);
    return new OsdpDevice(this, address);
  }

  state(address: number): LinkSnapshot {
    return snapshot(this.link(address));
  }

  get addresses(): number[] {
    return [...this.links.keys()];
  }

  get stats(): { bus: CpBus['stats']; parser: CpBus['parserStats'] } {
    return { bus: this.bus.stats, parser: this.bus.parserStats };
  }

  private link(address: number): PdLink {
    const link = this.links.get(address);
    if (link === undefined) throw new OsdpError('OSDP_MESSAGE_INVALID', 'no PD configured at this address', { address });
    return link;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const job = this.queue.shift();
      if (job !== undefined) {
        await this.runJob(job);
        continue;
      }
      const now = this.deps.clock.monoMs();
      const links = [...this.links.values()];
      const link = this.lifecycle.due(links, now);
      if (link !== undefined) await this.service(link, now);
      else await this.idle(this.lifecycle.idleMs(links, now));
    }
  }

  private async runJob(job: Job): Promise<void> {
    const { link, command } = job;
    if (link.phase !== 'online') return job.reject(new OsdpError('OSDP_PD_OFFLINE', `${link.name} went offline`, { address: link.address }));
    try {
      const { reply } = await this.exchange.transact(link, { command });
      absorbReply(link, reply, this.events);
      if (command.kind === 'keyset' && reply.kind === 'ack') {
        link.keyChoice = { scbk: command.key }; // 6.16: the new key holds from the next session
        link.restart();
      }
      job.resolve(reply);
    } catch (err) {
      this.lifecycle.exchangeFailed(link, err);
      job.reject(err);
    } finally {
      this.lifecycle.afterExchange(link);
    }
  }

  private async service(link: PdLink, now: number): Promise<void> {
    if (link.phase !== 'online') {
      try {
        await connectLink(this.exchange, link, this.deps.random ?? randomBytes);
        this.lifecycle.online(link);
      } catch (err) {
        this.lifecycle.connectFailed(link, err);
      }
      return;
    }
    link.nextPollAtMs = now + this.options.pollIntervalMs;
    try {
      absorbReply(link, (await this.exchange.transact(link, { command: { kind: 'poll' } })).reply, this.events);
    } catch (err) {
      if (!isOsdpError(err, 'OSDP_PD_OFFLINE')) this.log.warn({ err, address: link.address }, 'osdp poll failed');
      this.lifecycle.exchangeFailed(link, err);
    } finally {
      this.lifecycle.afterExchange(link);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.wake = undefined;
        resolve();
      };
      const cancel = this.deps.scheduler.after(ms, done);
      this.wake = done;
    });
  }
}
