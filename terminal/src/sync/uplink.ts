/**
 * Uplink: journal -> MQTT tap batches (QoS 1) -> application ack -> journal.ackUpTo.
 * The I/O shell around UplinkWindow (the semantics are documented there). Sends whenever the
 * bus is connected and the window has room: on connect, on every ack, on a journaled tap, and
 * on a tick (every `tickMs`) that also expires overdue batches and picks up taps it was not
 * told about. A PUBACK only says the broker has the message; it frees nothing here.
 */
import { randomUUID } from 'node:crypto';
import { decodePayload, encodePayload, RejectCounter, tapAckSchema, topics, type TapBatch } from '@rescard/shared';
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { TapJournal, TapRecord } from '../ports/tap-journal.js';
import type { Scheduler } from './scheduler.js';
import { toTapWire } from './tap-wire.js';
import { UplinkWindow, type UplinkWindowOptions } from './uplink-window.js';

export interface UplinkOptions extends UplinkWindowOptions {
  /** Housekeeping period: expiry of overdue batches, pick-up of taps nobody announced. */
  readonly tickMs?: number;
}

export interface UplinkDeps {
  readonly deviceId: string;
  readonly journal: TapJournal;
  readonly bus: MessageBus;
  readonly scheduler: Scheduler;
  readonly clock: Pick<Clock, 'wallMs'>;
  readonly log: Logger;
  readonly options: UplinkOptions;
}

export interface UplinkCounters {
  batchesSent: number;
  tapsSent: number;
  acks: number;
  tapsDeleted: number;
  ackTimeouts: number;
  acksBeyondSent: number;
  publishFailures: number;
}

export class Uplink {
  readonly rejects = new RejectCounter();
  readonly counters: UplinkCounters = { batchesSent: 0, tapsSent: 0, acks: 0, tapsDeleted: 0, ackTimeouts: 0, acksBeyondSent: 0, publishFailures: 0 };
  private readonly window: UplinkWindow;
  private readonly log: Logger;
  private readonly batchPrefix = randomUUID().slice(0, 8);
  private batchNo = 0;
  private pumping = false;
  private stopped = false;
  private cancelTick: (() => void) | null = null;

  constructor(private readonly deps: UplinkDeps) {
    this.window = new UplinkWindow(deps.options);
    this.log = deps.log.child({ module: 'uplink' });
  }

  async start(): Promise<void> {
    const { bus } = this.deps;
    bus.onConnectionChange((connected) => (connected ? this.onConnected() : this.window.disconnected()));
    await this.subscribeAcks();
    if (bus.connected) this.onConnected();
    this.scheduleTick();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = null;
    this.window.disconnected();
  }

  /** A tap was journaled: it goes in the next batch, ahead of any backlog. */
  tapJournaled(seq: number): void {
    this.window.noteLive(seq);
    this.pump();
  }

  stats(): ReturnType<UplinkWindow['snapshot']> & UplinkCounters & { rejectedAcks: Record<string, number> } {
    return { ...this.window.snapshot(), ...this.counters, rejectedAcks: this.rejects.snapshot() };
  }

  private onConnected(): void {
    if (this.stopped) return;
    try {
      const first = this.deps.journal.pending(1)[0];
      const floor = first ? first.seq - 1 : this.deps.journal.stats().nextSeq - 1;
      this.window.rewind(floor);
      this.log.info({ floor, depth: this.deps.journal.stats().depth }, 'uplink connected: sending unacked taps');
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'uplink cannot read the journal; retrying on the next tick');
      return;
    }
    this.pump();
  }

  /** Idempotent at the broker; repeated after ack timeouts (a broker may lose a subscription across a fast reconnect). */
  private subscribeAcks(): Promise<void> {
    return this.deps.bus.subscribe(topics.deviceAck(this.deps.deviceId), 1, this.ackHandler);
  }

  private readonly ackHandler = (_topic: string, payload: Buffer): void => this.onAck(payload);

  private onAck(payload: Buffer): void {
    const decoded = decodePayload(tapAckSchema, payload);
    if (!decoded.ok) {
      this.rejects.add('tapAck', decoded.reason);
      this.log.warn({ reason: decoded.reason, detail: decoded.detail }, 'tap ack rejected');
      return;
    }
    const ack = decoded.value;
    if (ack.deviceId !== this.deps.deviceId) {
      this.rejects.add('tapAck', 'schema');
      this.log.warn({ reason: 'schema', detail: `deviceId ${ack.deviceId}` }, 'tap ack rejected: another device');
      return;
    }
    const result = this.window.ack(ack.batchId, ack.committedUpTo);
    this.counters.acks += 1;
    if (result.beyondSent) {
      this.counters.acksBeyondSent += 1;
      this.log.warn({ committedUpTo: ack.committedUpTo, batchId: ack.batchId }, 'ack beyond the highest seq sent: clamped');
    }
    if (result.ackUpTo !== null) {
      try {
        this.counters.tapsDeleted += this.deps.journal.ackUpTo(result.ackUpTo);
      } catch (err) {
        // The taps stay in the journal; a later ack deletes them, or they are resent (duplicates).
        this.log.error({ err: err instanceof Error ? err.message : String(err), seq: result.ackUpTo }, 'journal ackUpTo failed');
      }
    }
    this.pump();
  }

  /** Send batches while connected and the window has room. Synchronous: journal reads are. */
  private pump(): void {
    if (this.pumping || this.stopped || !this.deps.bus.connected) return;
    this.pumping = true;
    try {
      const maxSeq = this.deps.journal.stats().nextSeq - 1;
      while (this.window.canSend()) {
        const batchId = `${this.batchPrefix}-${++this.batchNo}`;
        const seqs = this.window.open(batchId, maxSeq, this.deps.scheduler.now());
        if (seqs.length === 0) break;
        const records = fetchRecords(this.deps.journal, seqs);
        if (records.length === 0) this.window.cancel(batchId);
        else this.publish(batchId, records);
      }
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'uplink pump failed; retrying on the next tick');
    } finally {
      this.pumping = false;
    }
  }

  private publish(batchId: string, records: readonly TapRecord[]): void {
    const { deviceId, bus, clock } = this.deps;
    const batch: TapBatch = { v: 1, deviceId, batchId, sentAtMs: clock.wallMs(), taps: records.map(toTapWire) };
    this.counters.batchesSent += 1;
    this.counters.tapsSent += records.length;
    this.log.debug({ batchId, first: records[0]?.seq, count: records.length }, 'batch sent');
    bus.publish(topics.deviceTaps(deviceId), encodePayload(batch), { qos: 1 }).catch((err: unknown) => {
      // Not fatal: the batch times out (or the reconnect rewinds) and is sent again.
      this.counters.publishFailures += 1;
      this.log.warn({ batchId, err: err instanceof Error ? err.message : String(err) }, 'batch publish failed');
    });
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    const tickMs = this.deps.options.tickMs ?? Math.min(1000, Math.ceil(this.deps.options.ackTimeoutMs / 4));
    this.cancelTick = this.deps.scheduler.after(tickMs, () => {
      const expired = this.window.expire(this.deps.scheduler.now());
      if (expired.length > 0) {
        this.counters.ackTimeouts += expired.length;
        this.log.warn({ batches: expired.length }, 'tap batches not acked in time: resending');
        this.subscribeAcks().catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ack resubscribe failed'));
      }
      if (this.deps.bus.connected && !this.window.isConnected) this.onConnected();
      this.pump();
      this.scheduleTick();
    });
  }
}

/** The journal records for `seqs`, in that order (runs of consecutive seqs read in one query). */
function fetchRecords(journal: TapJournal, seqs: readonly number[]): TapRecord[] {
  const out: TapRecord[] = [];
  let i = 0;
  while (i < seqs.length) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j += 1;
    const first = seqs[i]!;
    const last = seqs[j]!;
    out.push(...journal.pending(last - first + 1, first - 1).filter((r) => r.seq <= last));
    i = j + 1;
  }
  return out;
}
