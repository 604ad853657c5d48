/**
 * A terminal-like MQTT client that speaks the real protocol with a journal in memory: taps stay
 * until an application ack's committedUpTo passes them, several batches in flight, everything
 * unacked resent on a new connection and after an ack timeout. What it deletes on an ack is what
 * the gateway promised to keep: if the gateway lost an acked tap, the server would miss it.
 */
import { encodePayload, topics, type TapWire } from '@rescard/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { makeTap } from '../../src/testing/tap-fixtures.js';

export class SimTerminal {
  readonly journal = new Map<number, TapWire>();
  acked = 0;
  acks = 0;
  private nextSeq = 1;
  private client: MqttClient | null = null;
  private cursor = 0;
  private batchNo = 0;
  private readonly inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly deviceId: string,
    private readonly batchSize = 50,
    private readonly window = 4,
    private readonly ackTimeoutMs = 1000,
  ) {}

  get journaled(): number {
    return this.nextSeq - 1;
  }

  tap(count: number): void {
    for (let i = 0; i < count; i++, this.nextSeq++) this.journal.set(this.nextSeq, makeTap(this.nextSeq, this.deviceId));
    this.pump();
  }

  async connect(port: number): Promise<void> {
    this.close();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: this.deviceId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000 });
    client.on('error', () => undefined);
    client.on('close', () => {
      if (this.client === client) this.client = null;
    });
    client.on('message', (_t, p) => this.onAck(JSON.parse(p.toString()) as { batchId: string; committedUpTo: number }));
    await client.subscribeAsync(topics.deviceAck(this.deviceId), { qos: 1 });
    this.client = client;
    this.rewind();
    this.timer = setInterval(() => {
      const now = Date.now();
      if ([...this.inFlight.values()].some((at) => now - at > this.ackTimeoutMs)) this.rewind();
    }, 100);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.client?.end(true);
    this.client = null;
  }

  private rewind(): void {
    this.inFlight.clear();
    this.cursor = this.acked;
    this.pump();
  }

  private onAck(ack: { batchId: string; committedUpTo: number }): void {
    this.acks += 1;
    this.inFlight.delete(ack.batchId);
    const upTo = Math.min(ack.committedUpTo, this.nextSeq - 1);
    if (upTo > this.acked) {
      for (let s = this.acked + 1; s <= upTo; s++) this.journal.delete(s);
      this.acked = upTo;
      this.cursor = Math.max(this.cursor, upTo);
    }
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    while (client?.connected === true && this.inFlight.size < this.window) {
      const seqs: number[] = [];
      for (let s = this.cursor + 1; s < this.nextSeq && seqs.length < this.batchSize; s++) if (this.journal.has(s)) seqs.push(s);
      if (seqs.length === 0) return;
      const batchId = `${this.deviceId}-b${++this.batchNo}`;
      this.cursor = seqs[seqs.length - 1]!;
      this.inFlight.set(batchId, Date.now());
      const taps = seqs.map((s) => this.journal.get(s)!);
      client.publish(topics.deviceTaps(this.deviceId), encodePayload({ v: 1, deviceId: this.deviceId, batchId, sentAtMs: Date.now(), taps }), { qos: 1 }, () => undefined);
    }
  }
}
