/**
 * The embedded MQTT broker: aedes on a TCP port (plain MQTT; TLS comes with device
 * certificates). In-process subscribers get every matching message with the publishing client's
 * id; publishes from here (acks, lists) bypass the ACL, which applies to clients only.
 *
 * Note: for a QoS 1 PUBLISH from a client, aedes writes the PUBACK before it hands the message
 * to subscribers (lib/handlers/publish.js); so PUBACK never means "stored". The application
 * ack is published by the ingest after its commit.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions, type AedesPublishPacket } from 'aedes';
import type { Logger } from 'pino';

export interface BrokerPublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export interface EmbeddedBroker {
  readonly port: number;
  readonly aedes: Aedes;
  publish(topic: string, payload: Buffer, options: BrokerPublishOptions): Promise<void>;
  /** In-process subscription; the handler must not throw (it is caught and logged). */
  subscribe(filter: string, handler: (topic: string, payload: Buffer, clientId: string | null) => void): Promise<void>;
  /** Stop listening, disconnect every client, close. */
  close(): Promise<void>;
}

export interface BrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly hooks: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
  readonly log: Logger;
}

export async function startEmbeddedBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const { log } = options;
  const aedes = await Aedes.createBroker({ ...options.hooks, maxClientsIdLength: 64 });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));
  aedes.on('client', (client) => log.debug({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log.debug({ clientId: client.id }, 'client disconnected'));
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'mqtt broker listening');

  return {
    port,
    aedes,
    publish: (topic, payload, o) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish({ cmd: 'publish', topic, payload, qos: o.qos, retain: o.retain ?? false, dup: false }, (err) => (err ? reject(err) : resolve()));
      }),
    subscribe: (filter, handler) =>
      new Promise<void>((resolve) => {
        const deliver = (packet: AedesPublishPacket, done: () => void): void => {
          try {
            const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
            handler(packet.topic, payload, (packet as { clientId?: string }).clientId ?? null);
          } catch (err) {
            log.error({ err, topic: packet.topic }, 'in-process subscriber threw');
          }
          done();
        };
        aedes.subscribe(filter, deliver, resolve);
      }),
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await stopped;
    },
  };
}
