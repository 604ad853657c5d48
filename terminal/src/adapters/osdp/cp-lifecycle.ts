/**
 * The online/offline life of each PD link, and which link the bus serves next. Events 'online'
 * and 'offline' are announced once per change: a reconnect after a lost session is not an outage.
 */
import type { Logger } from 'pino';
import { isOsdpError } from '../../protocol/osdp/index.js';
import type { Clock } from '../../ports/clock.js';
import type { ResolvedOptions } from './cp-options.js';
import type { ControlPanelEvents } from './cp-state.js';
import type { TypedEvents } from './events.js';
import type { PdLink } from './pd-link.js';

/** Quick reconnects after which a PD that answers but cannot be brought up counts as offline. */
const MAX_QUICK_RECONNECTS = 3;

export class LinkLifecycle {
  private turn = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: ResolvedOptions,
    private readonly log: Logger,
    private readonly events: TypedEvents<ControlPanelEvents>,
    private readonly running: () => boolean,
  ) {}

  online(link: PdLink): void {
    const now = this.clock.monoMs();
    const announce = link.announcedOffline || !link.everOnline;
    Object.assign(link, { phase: 'online', missed: 0, failedConnects: 0, lastError: undefined, announcedOffline: false, everOnline: true, nextPollAtMs: now });
    if (!announce) return void this.log.debug({ address: link.address }, 'osdp PD reconnected');
    link.sinceMonoMs = now;
    this.log.info({ address: link.address, secure: link.session !== undefined }, 'osdp PD online');
    this.events.emit('online', { address: link.address, secure: link.session !== undefined });
  }

  /**
   * A PD that answers but cannot be brought up (SC failure, NAK) is retried at once a couple of
   * times: one corrupted reply during a reconnect is not an outage. Silence, a first attempt, or a
   * third failure in a row is: the PD goes offline.
   */
  connectFailed(link: PdLink, err: unknown): void {
    link.failedConnects += 1;
    if (isOsdpError(err, 'OSDP_PD_OFFLINE') || !link.everOnline || link.failedConnects >= MAX_QUICK_RECONNECTS) return this.offline(link, err);
    this.log.warn({ err, address: link.address, attempt: link.failedConnects }, 'osdp reconnect failed; trying again');
    link.phase = 'connecting';
    link.nextConnectAtMs = this.clock.monoMs();
  }

  offline(link: PdLink, err: unknown): void {
    if (!this.running()) return; // stopping is not the PD's fault
    const reason = err instanceof Error ? err.message : String(err);
    Object.assign(link, { phase: 'offline', lastError: reason, nextConnectAtMs: this.clock.monoMs() + this.options.reconnectIntervalMs });
    link.restart();
    if (link.announcedOffline) return void this.log.debug({ address: link.address, reason }, 'osdp PD still offline');
    link.announcedOffline = true;
    link.sinceMonoMs = this.clock.monoMs();
    this.log.warn({ address: link.address, reason, code: isOsdpError(err) ? err.code : undefined }, 'osdp PD offline');
    this.events.emit('offline', { address: link.address, reason });
  }

  /**
   * An exchange on an online link failed. Silence past offlineAfterMissed replies: offline. Silence
   * short of that (offlineAfterMissed set above retries + 1): the sequence may have slipped, so
   * the link restarts. Anything else (a NAK, a bad reply) is the command's failure only.
   */
  exchangeFailed(link: PdLink, err: unknown): void {
    if (!isOsdpError(err, 'OSDP_PD_OFFLINE')) return;
    if (link.missed >= this.options.offlineAfterMissed) this.offline(link, err);
    else link.restart();
  }

  /** A link whose conversation restarted (SC lost, KEYSET, sequence NAK) is reconnected now. */
  afterExchange(link: PdLink): void {
    if (link.phase === 'online' && link.isFresh) {
      link.phase = 'connecting';
      link.nextConnectAtMs = this.clock.monoMs();
    }
  }

  /** The next link with a poll or a connection attempt due, round robin. */
  due(links: readonly PdLink[], now: number): PdLink | undefined {
    for (let i = 0; i < links.length; i += 1) {
      const link = links[(this.turn + i) % links.length]!;
      if (now >= dueAt(link)) {
        this.turn = (this.turn + i + 1) % links.length;
        return link;
      }
    }
    return undefined;
  }

  /** How long the bus may idle: until the next due link, at most one poll period. */
  idleMs(links: readonly PdLink[], now: number): number {
    return Math.max(1, Math.min(this.options.pollIntervalMs, ...links.map((l) => dueAt(l) - now)));
  }
}

const dueAt = (link: PdLink): number => (link.phase === 'online' ? link.nextPollAtMs : link.nextConnectAtMs);
