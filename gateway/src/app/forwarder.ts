/**
 * Forwarder: outbox → rescard/v1/gw/{gatewayId}/taps (QoS 1) → the server's application ack on
 * rescard/v1/gw/{gatewayId}/ack → outbox.applyUpstreamAck. The I/O shell around ForwardWindow
 * (core/forward-window.ts: in-flight bound, rewind on reconnect and on an overdue ack). A PUBACK
 * only says the server's broker has the message; it frees nothing here. Sends on connect, on
 * every ack, when custody stored new taps, and on a tick that also expires overdue messages.
 */
import { randomUUID } from 'node:crypto';
import { decodePayload, gatewayAckSchema, topics } from '@rescard/shared';
import type { Logger } from 'pino';
import { buildForwardMessage, type ForwardLimits } from '../core/forward-batch.js';
import { ForwardWindow } from '../core/forward-window.js';
import type { DeviceMark, Outbox } from '../ports/outbox.js';
import type { Rejects } from './rejects.js';

export interface Upstream {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1 }): Promise<void>;
}

export interface ForwarderOptions extends ForwardLimits {
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly tickMs: number;
}

export interface ForwarderDeps {
  readonly gatewayId: string;
  readonly outbox: Outbox;
  readonly upstream: Upstream;
  readonly rejects: Rejects;
  readonly now: () => number;
  readonly log: Logger;
  readonly options: ForwarderOptions;
  /** Device marks raised by an upstream ack (custody tells those terminals). */
  readonly onAdvanced: (marks: readonly DeviceMark[]) => void;
}

export interface ForwarderStats {
  messagesSent: number;
  tapsSent: number;
  acks: number;
  unknownAcks: number;
  tapsDeleted: number;
  ackTimeouts: number;
  publishFailures: number;
}

export class Forwarder {
  readonly stats: ForwarderStats = { messagesSent: 0, tapsSent: 0, acks: 0, unknownAcks: 0, tapsDeleted: 0, ackTimeouts: 0, publishFailures: 0 };
  private readonly window: ForwardWindow;
  private readonly log: Logger;
  private readonly prefix = randomUUID().slice(0, 8);
  private seqNo = 0;
  private pumping = false;
  private stopped = false;
  private tick: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ForwarderDeps) {
    this.window = new ForwardWindow({ maxInFlight: deps.options.maxInFlight, ackTimeoutMs: deps.options.ackTimeoutMs });
    this.log = deps.log.child({ module: 'forwarder' });
  }

  start(): void {
    this.tick = setInterval(() => {
      if (this.window.expire(this.deps.now())) {
        this.stats.ackTimeouts += 1;
        this.log.warn('upstream ack overdue: resending everything unacked');
      }
      this.pump();
    }, this.deps.options.tickMs);
    this.tick.unref();
    if (this.deps.upstream.connected) this.connectionChanged(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    this.window.disconnected();
  }

  connectionChanged(connected: boolean): void {
    if (!connected) return this.window.disconnected();
    this.window.rewind();
    this.log.info({ ...this.deps.outbox.stats() }, 'upstream connected: forwarding the outbox');
    this.pump();
  }

  snapshot(): ForwarderStats & ReturnType<ForwardWindow['snapshot']> {
    return { ...this.stats, ...this.window.snapshot() };
  }

  readonly onAck = (_topic: string, payload: Buffer): void => {
    const d = decodePayload(gatewayAckSchema, payload);
    if (!d.ok) return this.deps.rejects.add('gateway-ack', d.reason, { detail: d.detail });
    const ack = d.value;
    if (ack.gatewayId !== this.deps.gatewayId) return this.deps.rejects.add('gateway-ack', 'id-mismatch', { gatewayId: ack.gatewayId });
    const rows = this.window.ack(ack.batchId);
    this.stats.acks += 1;
    if (rows === null) this.stats.unknownAcks += 1;
    try {
      const r = this.deps.outbox.applyUpstreamAck(ack.committed, rows ?? []);
      this.stats.tapsDeleted += r.deleted;
      this.log.debug({ batchId: ack.batchId, deleted: r.deleted }, 'upstream ack applied');
      if (r.advanced.length > 0) this.deps.onAdvanced(r.advanced);
    } catch (err) {
      // The rows stay; a later ack frees them, or they are sent again (the server is idempotent).
      this.log.error({ err, batchId: ack.batchId }, 'applying the upstream ack failed');
    }
    this.pump();
  };

  /** Send messages while connected and the window has room. Synchronous: outbox reads are. */
  pump(): void {
    if (this.pumping || this.stopped || !this.deps.upstream.connected) return;
    this.pumping = true;
    try {
      while (this.window.canSend()) {
        const rows = this.deps.outbox.pending(this.window.cursor, this.deps.options.maxTaps);
        const batchId = `${this.prefix}-${++this.seqNo}`;
        const msg = buildForwardMessage(this.deps.gatewayId, batchId, this.deps.now(), rows, this.deps.options);
        if (msg === null) break;
        this.window.open(batchId, msg.rows.map((r) => r.rowid), this.deps.now());
        this.stats.messagesSent += 1;
        this.stats.tapsSent += msg.rows.length;
        this.log.debug({ batchId, taps: msg.rows.length, bytes: msg.payload.length }, 'forwarded');
        this.deps.upstream.publish(topics.gatewayTaps(this.deps.gatewayId), msg.payload, { qos: 1 }).catch((err: unknown) => {
          // Not fatal: the ack never comes; the timeout or the next connection resends.
          this.stats.publishFailures += 1;
          this.log.warn({ batchId, err: err instanceof Error ? err.message : String(err) }, 'forward publish failed');
        });
      }
    } catch (err) {
      this.log.error({ err }, 'forwarding failed; retrying on the next tick');
    } finally {
      this.pumping = false;
    }
  }
}
