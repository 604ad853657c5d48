/**
 * Test support for the uplink end-to-end tests: a REAL aedes broker on an ephemeral loopback
 * port that can go down and come back on the same port, and a tiny test-only "hop" inside it
 * that stores each tap batch (idempotent on (device, seq)) and only then publishes the
 * application ack {batchId, committedUpTo = contiguous high-water}. Modes to misbehave:
 * `dupReorder` sends every ack twice, in reverse order, in bursts.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { decodePayload, encodePayload, tapBatchSchema, topics, type TapAck } from '@rescard/shared';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class TestHop {
  readonly stored = new Map<string, Set<number>>();
  /** Seqs in the order they were first stored (all devices). */
  readonly firstArrivals: number[] = [];
  received = 0;
  duplicates = 0;
  rejected = 0;
  dupReorder = false;
  private held: TapAck[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  attach(broker: Aedes): void {
    broker.subscribe(
      topics.allDeviceTaps,
      (packet, done) => {
        this.onBatch(broker, Buffer.from(packet.payload));
        done();
      },
      () => undefined,
    );
  }

  storedSeqs(deviceId: string): number[] {
    return [...(this.stored.get(deviceId) ?? [])].sort((a, b) => a - b);
  }

  private onBatch(broker: Aedes, payload: Buffer): void {
    const d = decodePayload(tapBatchSchema, payload);
    if (!d.ok) {
      this.rejected += 1;
      return;
    }
    const { deviceId, batchId, taps } = d.value;
    const seqs = this.stored.get(deviceId) ?? new Set<number>();
    this.stored.set(deviceId, seqs);
    let dup = 0;
    for (const t of taps) {
      this.received += 1;
      if (seqs.has(t.seq)) dup += 1;
      else this.firstArrivals.push(t.seq);
      seqs.add(t.seq);
    }
    this.duplicates += dup;
    let high = 0;
    while (seqs.has(high + 1)) high += 1;
    const ack: TapAck = { v: 1, deviceId, batchId, committedUpTo: high, duplicates: dup };
    if (!this.dupReorder) return this.send(broker, ack);
    this.held.push(ack);
    if (this.held.length >= 3) this.flush(broker);
    this.flushTimer ??= setTimeout(() => this.flush(broker), 20);
  }

  private flush(broker: Aedes): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const acks = this.held.reverse();
    this.held = [];
    for (const ack of acks) {
      this.send(broker, ack);
      this.send(broker, ack);
    }
  }

  private send(broker: Aedes, ack: TapAck): void {
    const packet = { cmd: 'publish' as const, topic: topics.deviceAck(ack.deviceId), payload: encodePayload(ack), qos: 1 as const, dup: false, retain: false };
    broker.publish(packet, () => undefined);
  }
}

export class TestBroker {
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    readonly hop: TestHop = new TestHop(),
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.hop.attach(broker);
    this.broker = broker;
    this.server = server;
  }

  /** Cut every client connection without a DISCONNECT (a network failure): wills fire. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
