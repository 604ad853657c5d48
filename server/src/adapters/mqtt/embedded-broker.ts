/**
 * The embedded MQTT broker: aedes on up to two listeners (ADR 0007):
 * - TLS (MQTT over TLS, 8883 in production): TLS 1.2+, the project CA's broker certificate, and
 *   a client certificate from the project CA required (requestCert + rejectUnauthorized: a
 *   client with none, or a foreign one, fails the handshake); access-hooks.ts then binds the
 *   certificate's device id to the clientId and asks the device registry;
 * - plain TCP, for loopback development and the tests of the sync protocol (`plain: false`
 *   turns it off).
 * In-process subscribers get every matching message with the publishing client's id;
 * publishes from here (acks, lists) bypass the ACL, which applies to clients only.
 *
 * Note: for a QoS 1 PUBLISH from a client, aedes writes the PUBACK before it hands the message
 * to subscribers (lib/handlers/publish.js); so PUBACK never means "stored". The application
 * ack is published by the ingest after its commit.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { RescardError } from '@rescard/shared';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { BrokerHooks, DeviceGate } from './access-hooks.js';
import { capturePublishes } from './publish-capture.js';

export interface BrokerPublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export interface EmbeddedBroker {
  /** The plain listener's port; the TLS port when plain is off. */
  readonly port: number;
  /** The TLS listener's port, null when there is none. */
  readonly tlsPort: number | null;
  readonly aedes: Aedes;
  /** Install the device registry TLS connects are checked against (fail closed until then). */
  setDeviceGate(gate: DeviceGate | null): void;
  /** Close the live session of a client id at once (a revoked device); false when none. */
  disconnect(clientId: string): boolean;
  publish(topic: string, payload: Buffer, options: BrokerPublishOptions): Promise<void>;
  /**
   * In-process subscription; the handler must not throw (it is caught and logged). When it
   * returns a promise, aedes reads nothing more from the publishing client until it settles
   * (back-pressure from a full writer).
   */
  subscribe(filter: string, handler: (topic: string, payload: Buffer, clientId: string | null) => unknown): Promise<void>;
  /** Stop listening, disconnect every client, close. */
  close(): Promise<void>;
}

export interface BrokerTlsOptions {
  readonly port: number;
  /** Defaults to the plain listener's host. */
  readonly host?: string;
  readonly keyPem: string;
  readonly certPem: string;
  /** The project CA: client certificates must chain to it. */
  readonly caPem: string;
}

export interface BrokerOptions {
  readonly host: string;
  /** The plain listener's port. */
  readonly port: number;
  /** false: no plain listener (production with TLS). Default true. */
  readonly plain?: boolean;
  readonly tls?: BrokerTlsOptions;
  readonly hooks: BrokerHooks;
  readonly log: Logger;
  /** Append every message to this file (publish-capture.ts; diagnostics and leak tests). */
  readonly capturePath?: string;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const closeServer = (server: Server | null): Promise<void> => (server === null || !server.listening ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve())));

export async function startEmbeddedBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const { log } = options;
  const plainOn = options.plain ?? true;
  if (!plainOn && options.tls === undefined) throw new RescardError('CONFIG_INVALID', 'the MQTT broker needs a listener: plain MQTT is off and no TLS is configured');
  const { authenticate, authorizePublish, authorizeSubscribe } = options.hooks;
  const setDeviceGate = options.hooks.setDeviceGate?.bind(options.hooks);
  const aedes = await Aedes.createBroker({
    ...(authenticate ? { authenticate } : {}), ...(authorizePublish ? { authorizePublish } : {}), ...(authorizeSubscribe ? { authorizeSubscribe } : {}),
    maxClientsIdLength: 64,
    // Deliveries in flight broker-wide (mqemitter; aedes' default 100). The ingest holds a
    // delivery while the tap writer is full (back-pressure on that client); with the default,
    // 100 held deliveries would queue every other publish behind them, acks and lists included.
    concurrency: 10_000,
  });
  const capture = options.capturePath === undefined ? null : capturePublishes(aedes, options.capturePath, log);
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));
  aedes.on('client', (client) => log.debug({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log.debug({ clientId: client.id }, 'client disconnected'));
  let plain: Server | null = null;
  let secure: Server | null = null;
  let port = 0;
  let tlsPort: number | null = null;
  try {
    if (plainOn) {
      plain = createServer({ noDelay: true }, (socket) => aedes.handle(socket));
      port = await listen(plain, options.port, options.host);
      log.info({ host: options.host, port }, 'mqtt broker listening (plain)');
    }
    if (options.tls !== undefined) {
      const t = options.tls;
      secure = createTlsServer({ key: t.keyPem, cert: t.certPem, ca: t.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', noDelay: true }, (socket) => aedes.handle(socket));
      // A client without a certificate, or with one from another CA, ends here (the handshake).
      secure.on('tlsClientError', (err: Error) => log.warn({ err: err.message }, 'tls handshake refused'));
      tlsPort = await listen(secure, t.port, t.host ?? options.host);
      if (!plainOn) port = tlsPort;
      log.info({ host: t.host ?? options.host, port: tlsPort }, 'mqtt broker listening (tls, client certificates)');
    }
  } catch (err) {
    await capture?.close();
    await closeServer(plain);
    await closeServer(secure);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const clients = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients;

  return {
    port,
    tlsPort,
    aedes,
    setDeviceGate: (gate) => {
      if (setDeviceGate === undefined) throw new RescardError('CONFIG_INVALID', 'the broker hooks take no device gate');
      setDeviceGate(gate);
    },
    disconnect: (clientId) => {
      const client = clients[clientId];
      if (client === undefined) return false;
      log.warn({ clientId }, 'closing the session of a revoked device');
      client.close();
      return true;
    },
    publish: (topic, payload, o) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish({ cmd: 'publish', topic, payload, qos: o.qos, retain: o.retain ?? false, dup: false }, (err) => (err ? reject(err) : resolve()));
      }),
    subscribe: (filter, handler) =>
      new Promise<void>((resolve) => {
        const deliver = (packet: AedesPublishPacket, done: () => void): void => {
          let held: unknown;
          try {
            const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
            held = handler(packet.topic, payload, (packet as { clientId?: string }).clientId ?? null);
          } catch (err) {
            log.error({ err, topic: packet.topic }, 'in-process subscriber threw');
          }
          if (held instanceof Promise) held.then(done, done);
          else done(); // anything else a handler returns is not a hold
        };
        aedes.subscribe(filter, deliver, resolve);
      }),
    close: async () => {
      const stopped = Promise.all([closeServer(plain), closeServer(secure)]);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await stopped;
      await capture?.close();
    },
  };
}
