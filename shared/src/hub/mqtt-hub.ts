/**
 * The MQTT broker a hub program embeds (the server for devices and gateways, the gateway for its
 * terminals): aedes on up to two listeners, both with TCP_NODELAY (small acks and taps must not
 * wait for Nagle):
 * - plain TCP (`plain: false` turns it off);
 * - TLS 1.2+ with a client certificate from `tls.caPem` required (requestCert +
 *   rejectUnauthorized: a client with none, or a foreign one, fails the handshake, logged).
 * Who may connect, publish and subscribe is the caller's: its aedes hooks in `broker`.
 * In-process subscribers get every matching message with the publishing client's id; publishes
 * from here bypass the ACL, which applies to clients only.
 *
 * Note: for a QoS 1 PUBLISH from a client, aedes writes the PUBACK before it hands the message
 * to subscribers (lib/handlers/publish.js); so a PUBACK never means "stored": the application
 * ack, published after the commit, does.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AedesPublishPacket } from 'aedes';
import { RescardError } from '../errors.js';
import type { HubLog } from './hub-log.js';

export interface MqttHubTlsOptions {
  readonly port: number;
  /** Defaults to the plain listener's host. */
  readonly host?: string;
  readonly keyPem: string;
  readonly certPem: string;
  /** Client certificates must chain to this CA. */
  readonly caPem: string;
}

/** Something tied to the broker's life (e.g. a capture of every publish): closed after it. */
export interface HubAttachment {
  close(): Promise<void>;
}

export interface MqttHubOptions {
  readonly host: string;
  /** The plain listener's port (0: any free port). */
  readonly port: number;
  /** false: no plain listener (then `tls` is required). Default true. */
  readonly plain?: boolean;
  readonly tls?: MqttHubTlsOptions;
  readonly log: HubLog;
  /** aedes options: the access hooks, `concurrency`… (maxClientsIdLength is 64: ids are topic levels). */
  readonly broker?: Omit<AedesOptions, 'maxClientsIdLength'>;
  /** The level of the client connected / disconnected lines. Default debug. */
  readonly clientLogLevel?: 'info' | 'debug';
  /** Called with the broker before any listener opens; what it returns is closed after the broker. */
  readonly attach?: (aedes: Aedes) => HubAttachment;
}

export interface HubPublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

/** An in-process subscriber; a returned promise holds that client's further messages until it settles. */
export type HubHandler = (topic: string, payload: Buffer, clientId: string | null) => unknown;

export interface MqttHub {
  /** The plain listener's port; the TLS port when plain is off. */
  readonly port: number;
  /** The TLS listener's port, null when there is none. */
  readonly tlsPort: number | null;
  readonly aedes: Aedes;
  publish(topic: string, payload: Buffer, options: HubPublishOptions): Promise<void>;
  /** In-process subscription; a throwing handler is caught and logged. */
  subscribe(filter: string, handler: HubHandler): Promise<void>;
  connectedClients(): number;
  /** Stop listening, disconnect every client, close the broker, then the attachment. */
  close(): Promise<void>;
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
const closeBroker = (aedes: Aedes): Promise<void> => new Promise<void>((resolve) => aedes.close(() => resolve()));

export async function startMqttHub(options: MqttHubOptions): Promise<MqttHub> {
  const { log } = options;
  const plainOn = options.plain ?? true;
  if (!plainOn && options.tls === undefined) throw new RescardError('CONFIG_INVALID', 'the MQTT broker needs a listener: plain MQTT is off and no TLS is configured');
  const aedes = await Aedes.createBroker({ ...options.broker, maxClientsIdLength: 64 });
  const attachment = options.attach?.(aedes) ?? null;
  const clientLog = options.clientLogLevel ?? 'debug';
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));
  aedes.on('client', (client) => log[clientLog]({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log[clientLog]({ clientId: client.id }, 'client disconnected'));
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
    await closeServer(plain);
    await closeServer(secure);
    await closeBroker(aedes);
    await attachment?.close();
    throw err;
  }

  return {
    port,
    tlsPort,
    aedes,
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
    connectedClients: () => aedes.connectedClients,
    close: async () => {
      // Stop accepting first; the listeners finish closing once aedes has ended every client.
      const stopped = Promise.all([closeServer(plain), closeServer(secure)]);
      await closeBroker(aedes);
      await stopped;
      await attachment?.close();
    },
  };
}
