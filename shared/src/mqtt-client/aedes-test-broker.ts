/**
 * Test support for the MqttConnection tests (not exported): a REAL aedes broker on an ephemeral
 * loopback port (never 1883) that can stop and come back on the same port, and misbehave on
 * demand: refuse every CONNECT (CONNACK 5), hold the client PUBLISHes to one topic (no PUBACK), or
 * hold every SUBSCRIBE (no SUBACK) until released.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { MqttConnection, type MqttConnectionOptions, type MqttLog } from './mqtt-connection.js';

export const quietLog: MqttLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** For vi.waitFor: generous for a loaded machine, polled often. */
export const wait = { timeout: 10_000, interval: 5 };

// What the running test made: closed and stopped by cleanUp() (afterEach).
const brokers: AedesTestBroker[] = [];
const connections: MqttConnection[] = [];

/** An MqttConnection to `url` with fast test defaults (not started), closed after the test. */
export function testConnection(options: Partial<MqttConnectionOptions> & { readonly url: string }): MqttConnection {
  const c = new MqttConnection({ clientId: 'bus-1', reconnectMinMs: 20, reconnectMaxMs: 100, log: quietLog, ...options });
  connections.push(c);
  return c;
}

export async function cleanUp(): Promise<void> {
  for (const c of connections.splice(0)) await c.close();
  for (const b of brokers.splice(0)) await b.stop();
}

export class AedesTestBroker {
  /** performance.now() of every CONNECT received, refused or not. */
  readonly connectsAtMs: number[] = [];
  /** What happened, in order: `subscribe:<filter>`, `publish:<topic>` and `disconnect:<clientId>`. */
  readonly events: string[] = [];
  /** `<topic>=<payload>` of every message the broker routed under rescard/ (wills included). */
  readonly delivered: string[] = [];
  refuseConnects = false;
  /** Client PUBLISHes to this topic are held: never authorized, so never acked. */
  holdTopic: string | null = null;
  private readonly held: (() => void)[] = [];
  /** While true, every subscription waits (no SUBACK) until releaseSubscribes(). */
  holdSubscribes = false;
  private readonly heldSubs: (() => void)[] = [];
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  // 0 until the first start() picks a free one; every restart listens on the same port.
  private port = 0;

  private constructor() {}

  /** A started broker on an ephemeral loopback port, stopped after the test. */
  static async create(): Promise<AedesTestBroker> {
    const b = new AedesTestBroker();
    brokers.push(b);
    await b.start();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({
      preConnect: (_client, _packet, done) => {
        this.connectsAtMs.push(performance.now());
        done(null, true);
      },
      authenticate: (_client, _user, _pass, done) => {
        if (!this.refuseConnects) return done(null, true);
        done(Object.assign(new Error('refused by the test'), { returnCode: 5 as const }), false);
      },
      authorizeSubscribe: (_client, sub, done) => {
        if (this.holdSubscribes) this.heldSubs.push(() => done(null, sub));
        else done(null, sub);
      },
      authorizePublish: (client, packet, done) => {
        if (client !== null && packet.topic === this.holdTopic) this.held.push(() => done(null));
        else done(null);
      },
    });
    broker.on('subscribe', (subs) => this.events.push(...subs.map((s) => `subscribe:${s.topic}`)));
    broker.on('publish', (packet, client) => {
      if (client !== null) this.events.push(`publish:${packet.topic}`);
    });
    broker.on('clientDisconnect', (client) => this.events.push(`disconnect:${client.id}`));
    await new Promise<void>((resolve) =>
      broker.subscribe('rescard/#', (packet, done) => {
        this.delivered.push(`${packet.topic}=${packet.payload.toString()}`);
        done();
      }, resolve),
    );
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.broker = broker;
    this.server = server;
  }

  /** Subscriptions held without a SUBACK (holdSubscribes). */
  get heldSubscribes(): number {
    return this.heldSubs.length;
  }

  /** Stop holding, and let the held subscriptions through. */
  releaseSubscribes(): void {
    this.holdSubscribes = false;
    for (const go of this.heldSubs.splice(0)) go();
  }

  /** Client PUBLISHes held without a PUBACK (holdTopic). */
  get heldPublishes(): number {
    return this.held.length;
  }

  /** Publish from the broker itself (QoS 1, not retained) to whoever is subscribed now. */
  publish(topic: string, payload: string): void {
    this.broker?.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, () => undefined);
  }

  /** Cut every client connection without a DISCONNECT (a network failure). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    this.held.length = 0; // never acked: their clients are gone
    this.heldSubs.length = 0;
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
