/**
 * SimFleetTerminal: one simulated terminal speaking protocol v1 over MQTT 3.1.1 (docs/protocol.md)
 * to the next hop (server or gateway), without PC/SC. clientId = deviceId; a retained last will
 * (offline); on every connection it subscribes to its ack topic and its audience's lists first,
 * then resends everything above committedUpTo. Tap batches at QoS 1; a tap leaves the journal
 * only on an application ack (tapAck.committedUpTo), never on a PUBACK. Heartbeats are retained.
 * Reconnects are mqtt.js's, every `reconnectMs` (jittered per terminal by the fleet).
 */
import { decodePayload, encodePayload, parseTopic, tapAckSchema, topics, type Heartbeat, type TapBatch, type TapWire } from '@rescard/shared';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { FleetJournal } from './fleet-journal.js';
import { ListTracker, type SnapshotFetcher } from './list-tracker.js';
import { SendWindow, type SendWindowOptions } from './send-window.js';
import type { FleetProfile } from './synthetic-tap.js';

export interface SimFleetTerminalOptions extends SendWindowOptions {
  readonly deviceId: string;
  readonly mqttUrl: string;
  readonly audience: string;
  readonly profile: FleetProfile;
  readonly journalCapacity: number;
  readonly reconnectMs: number;
  readonly log: Logger;
  readonly onListApplied: (deviceId: string, list: string, version: number) => void;
  /** publish → application ack of one batch, in ms. */
  readonly onAckLatency: (ms: number) => void;
  readonly fetchSnapshot?: SnapshotFetcher;
}

export interface TerminalCounters {
  batchesSent: number;
  tapsSent: number;
  acks: number;
  duplicates: number;
  ackTimeouts: number;
  acksBeyondSent: number;
  rejectedAcks: number;
  connects: number;
  publishFailures: number;
  journalFull: number;
}

export class SimFleetTerminal {
  readonly journal: FleetJournal;
  readonly lists: ListTracker;
  readonly counters: TerminalCounters = {
    batchesSent: 0, tapsSent: 0, acks: 0, duplicates: 0, ackTimeouts: 0, acksBeyondSent: 0, rejectedAcks: 0, connects: 0, publishFailures: 0, journalFull: 0,
  };
  private readonly window: SendWindow;
  private readonly client: MqttClient;
  private ready = false;
  private batchNo = 0;

  constructor(private readonly o: SimFleetTerminalOptions) {
    this.journal = new FleetJournal(o.journalCapacity);
    this.window = new SendWindow(o);
    this.lists = new ListTracker(o.audience, (list, version) => o.onListApplied(o.deviceId, list, version), Date.now, o.fetchSnapshot);
    const will = { topic: topics.deviceStatus(o.deviceId), payload: encodePayload({ v: 1, deviceId: o.deviceId, online: false }), qos: 1 as const, retain: true };
    this.client = mqtt.connect(o.mqttUrl, {
      clientId: o.deviceId, clean: true, protocolVersion: 4, reconnectPeriod: o.reconnectMs, resubscribe: false, connectTimeout: 10_000, keepalive: 30, will,
    });
    this.client.on('connect', () => void this.onConnect());
    this.client.on('close', () => (this.ready = false));
    this.client.on('error', (err) => o.log.debug({ deviceId: o.deviceId, err: err.message }, 'mqtt error'));
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  get deviceId(): string {
    return this.o.deviceId;
  }

  get connected(): boolean {
    return this.ready;
  }

  /** A tap happened: journal it (false: journal full, the tap was not made) and send. */
  tap(make: (seq: number, listVersions: Partial<Record<string, number>>) => TapWire): boolean {
    const seq = this.journal.append((s) => make(s, this.lists.held()), Date.now());
    if (seq === null) {
      this.counters.journalFull += 1;
      return false;
    }
    this.pump();
    return true;
  }

  /** Housekeeping tick: overdue batches are resent from committedUpTo. */
  tick(): void {
    if (this.ready && this.window.overdue(Date.now())) {
      this.counters.ackTimeouts += 1;
      this.window.rewind();
    }
    this.pump();
  }

  heartbeat(): void {
    if (!this.ready) return;
    const now = Date.now();
    const hb: Heartbeat = {
      v: 1, deviceId: this.o.deviceId, kind: 'terminal', online: true, atMs: now, appVersion: 'fleet-sim', profile: this.o.profile,
      queue: { depth: this.journal.depth, capacity: this.journal.capacity, alarm: this.journal.full, oldestAgeMs: this.journal.oldestAgeMs(now) },
      lists: this.lists.states(), restricted: false, clockFault: false, tapLatencyMs: { p50: null, p99: null }, alarms: [],
    };
    this.client.publish(topics.deviceStatus(this.o.deviceId), encodePayload(hb), { qos: 1, retain: true }, (err) => {
      if (err) this.counters.publishFailures += 1;
    });
  }

  /** Clean stop: an offline status, then DISCONNECT (so the broker does not need the will). */
  async close(): Promise<void> {
    if (this.ready) {
      await this.client.publishAsync(topics.deviceStatus(this.o.deviceId), encodePayload({ v: 1, deviceId: this.o.deviceId, online: false }), { qos: 1, retain: true }).catch(() => undefined);
    }
    this.ready = false;
    await this.client.endAsync(!this.client.connected);
  }

  private async onConnect(): Promise<void> {
    try {
      const filters = { [topics.deviceAck(this.o.deviceId)]: { qos: 1 as const }, [topics.audienceLists(this.o.audience)]: { qos: 1 as const } };
      const grants = await this.client.subscribeAsync(filters);
      if (grants.some((g) => g.qos === 128)) throw new Error('subscription refused');
    } catch (err) {
      this.o.log.warn({ deviceId: this.o.deviceId, err: err instanceof Error ? err.message : String(err) }, 'subscribe failed: reconnecting');
      this.client.stream.destroy();
      return;
    }
    this.counters.connects += 1;
    this.ready = true;
    this.window.rewind();
    this.heartbeat();
    this.pump();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (t?.kind === 'list') return this.lists.onAnnounce(t.list, payload);
    if (t?.kind !== 'deviceAck') return;
    const decoded = decodePayload(tapAckSchema, payload);
    if (!decoded.ok || decoded.value.deviceId !== this.o.deviceId) {
      this.counters.rejectedAcks += 1;
      return;
    }
    const ack = decoded.value;
    const r = this.window.ack(ack.batchId, ack.committedUpTo, Date.now());
    this.counters.acks += 1;
    this.counters.duplicates += ack.duplicates;
    if (r.beyondSent) this.counters.acksBeyondSent += 1;
    if (r.latencyMs !== null) this.o.onAckLatency(r.latencyMs);
    if (r.deleteUpTo !== null) this.journal.ackUpTo(r.deleteUpTo);
    this.pump();
  }

  private pump(): void {
    while (this.ready) {
      const batchId = `${this.o.deviceId}-${++this.batchNo}`;
      const range = this.window.open(batchId, this.journal.newestSeq, Date.now());
      if (range === null) return;
      const taps = this.journal.range(range.from, range.to);
      const batch: TapBatch = { v: 1, deviceId: this.o.deviceId, batchId, sentAtMs: Date.now(), taps };
      this.counters.batchesSent += 1;
      this.counters.tapsSent += taps.length;
      this.client.publish(topics.deviceTaps(this.o.deviceId), encodePayload(batch), { qos: 1 }, (err) => {
        if (err) this.counters.publishFailures += 1; // the ack never comes: the batch times out and is resent
      });
    }
  }
}
