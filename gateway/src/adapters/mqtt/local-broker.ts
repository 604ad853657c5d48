/**
 * The gateway's local MQTT broker for its terminals: the hub broker (@rescard/shared/hub) on
 * plain TCP (MQTT on the LAN, as the server's broker on loopback until device certificates
 * come). The topic ACL (core/local-acl.ts) applies to clients; in-process publishes (acks,
 * relayed lists) bypass it. Client ids must be device ids (they are topic levels). Persistence is
 * aedes' default, in memory: retained list messages are re-published from gateway.db at every
 * start (app/list-relay.ts).
 *
 * aedes writes the PUBACK of a client's QoS 1 PUBLISH before handing it to subscribers
 * (lib/handlers/publish.js), so a PUBACK from here never means "stored": the custody ack does.
 */
import { startMqttHub } from '@rescard/shared/hub';
import type { AuthenticateError } from 'aedes';
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
  const { refused } = options;
  return startMqttHub({
    host: options.host,
    port: options.port,
    log: options.log,
    clientLogLevel: 'info', // a terminal coming and going is news for the technician
    broker: {
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
    },
  });
}
