/**
 * The gateway's local MQTT broker for its terminals: aedes on TCP (plain MQTT on the LAN, as the
 * server's broker on loopback until device certificates come). The topic ACL (core/local-acl.ts)
 * applies to clients; in-process publishes (acks, relayed lists) bypass it. Client ids must be
 * device ids (they are topic levels). Persistence is aedes' default, in memory: retained list
 * messages are re-published from gateway.db at every start (app/list-relay.ts).
 *
 * aedes writes the PUBACK of a client's QoS 1 PUBLISH before handing it to subscribers
 * (lib/handlers/publish.js), so a PUBACK from here never means "stored": the custody ack does.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesPublishPacket, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';
import { terminalMayPublish, terminalMaySubscribe } from '../../core/local-acl.js';

export type LocalHandler = (topic: string, payload: Buffer, clientId: string | null) => void;

export interface LocalBroker {
  readonly port: number;
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** In-process subscription; a throwing handler is caught and logged. */
  subscribe(filter: string, handler: LocalHandler): Promise<void>;
  connectedClients(): number;
  close(): Promise<void>;
}

export interface LocalBrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  /** Every ACL refusal, for the reject counters. */
  readonly refused: (kind: 'connect' | 'publish' | 'subscribe', reason: string, fields: Record<string, unknown>) => void;
}

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const { log, refused } = options;
  const aedes = await Aedes.createBroker({
    maxClientsIdLength: 64,
    authenticate(client, _user, _pass, done) {
      if (CLIENT_ID.test(client.id)) return done(null, true);
      refused('connect', 'bad-client-id', { clientId: client.id.slice(0, 80) });
      const err: AuthenticateError = Object.assign(new Error('client id is not a device id'), { returnCode: 2 });
      done(err, false);
    },
    authorizePublish(client, packet, done) {
      if (client === null) return done(null);
      const v = terminalMayPublish(client.id, packet.topic);
      if (v.ok) return done(null);
      refused('publish', v.reason, { clientId: client.id, topic: packet.topic.slice(0, 200) });
      done(new Error(`publish refused: ${v.reason}`));
    },
    authorizeSubscribe(client, sub, done) {
      const v = terminalMaySubscribe(client.id, sub.topic);
      if (v.ok) return done(null, sub);
      refused('subscribe', v.reason, { clientId: client.id, filter: sub.topic.slice(0, 200) });
      done(null, null);
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('client', (client) => log.info({ clientId: client.id }, 'terminal connected'));
  aedes.on('clientDisconnect', (client) => log.info({ clientId: client.id }, 'terminal disconnected'));
  const server: Server = createServer({ noDelay: true }, (socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'local mqtt broker listening');
  return {
    port,
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
    connectedClients: () => aedes.connectedClients,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await stopped;
    },
  };
}
