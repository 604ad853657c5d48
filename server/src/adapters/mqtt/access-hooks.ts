/**
 * The broker's security seam: aedes' authenticate / authorizePublish / authorizeSubscribe
 * hooks. Today (plain MQTT on loopback) a client is who its clientId says; the server-security
 * issue puts TLS client certificates here: `authenticate` will take the device id from the
 * certificate, refuse revoked devices, and bind it to the clientId. The topic rules themselves
 * are pure (core/topic-acl.ts). Every refusal is counted and logged.
 */
import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, type AclRefusal } from '../../core/topic-acl.js';

export interface AccessEvents {
  refused(kind: 'publish' | 'subscribe' | 'connect', reason: AclRefusal | 'bad-client-id', fields: Record<string, unknown>): void;
}

/** Device and gateway ids are topic levels: the same rule as the protocol's ids. */
const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const NOT_AUTHORIZED = 5;
const IDENTIFIER_REJECTED = 2;

export function accessHooks(events: AccessEvents, log: Logger): Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
  return {
    authenticate(client: Client, _username, _password, done) {
      if (!CLIENT_ID.test(client.id)) {
        events.refused('connect', 'bad-client-id', { clientId: client.id.slice(0, 80) });
        const err: AuthenticateError = Object.assign(new Error('client id is not a device id'), { returnCode: IDENTIFIER_REJECTED });
        done(err, false);
        return;
      }
      done(null, true);
    },
    authorizePublish(client: Client | null, packet: PublishPacket, done) {
      if (client === null) {
        done(null);
        return;
      }
      const verdict = mayPublish(client.id, packet.topic);
      if (verdict.ok) {
        done(null);
        return;
      }
      events.refused('publish', verdict.reason, { clientId: client.id, topic: packet.topic.slice(0, 200) });
      // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection on this error.
      done(Object.assign(new Error(`publish refused: ${verdict.reason}`), { returnCode: NOT_AUTHORIZED }));
    },
    authorizeSubscribe(client: Client, sub: Subscription, done) {
      const verdict = maySubscribe(client.id, sub.topic);
      if (verdict.ok) {
        done(null, sub);
        return;
      }
      events.refused('subscribe', verdict.reason, { clientId: client.id, filter: sub.topic.slice(0, 200) });
      log.debug({ clientId: client.id }, 'subscription refused (SUBACK 0x80)');
      done(null, null);
    },
  };
}
