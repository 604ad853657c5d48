/**
 * The broker's security seam: aedes' authenticate / authorizePublish / authorizeSubscribe
 * hooks (ADR 0007).
 *
 * - A client on the TLS listener has already shown a certificate chaining to the project CA
 *   (the TLS server requires one). `authenticate` takes the device id from its subject CN,
 *   refuses a client whose MQTT clientId is not that id, then asks the device gate (the
 *   registry, installed by the PKI plugin) whether the device is known and active and the
 *   certificate one it issued, unrevoked and unexpired. No gate installed: refused (fail closed).
 * - A client on the plain listener (loopback development) is who its clientId says, unless the
 *   registry knows that id as revoked.
 * - The topic rules are pure (core/topic-acl.ts) and apply to the id fixed at connect.
 * Every refusal is counted (events) and logged.
 */
import { TLSSocket } from 'node:tls';
import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, type AclRefusal } from '../../core/topic-acl.js';
import type { GateRefusal, GateVerdict, PeerCertificate } from '../../pki/device-gate.js';
import { normalizeSerial } from '../../pki/serial.js';

export interface AccessEvents {
  refused(kind: 'publish' | 'subscribe' | 'connect', reason: AclRefusal | 'bad-client-id', fields: Record<string, unknown>): void;
  /** A connect refused for its certificate or the registry (optional: logged either way). */
  refusedDevice?(reason: ConnectRefusal, fields: Record<string, unknown>): void;
}

export type ConnectRefusal = GateRefusal | 'no-certificate' | 'client-id-not-certificate' | 'no-registry';

/** What the broker asks the device registry (implemented by the PKI service). */
export interface DeviceGate {
  checkPeer(peer: PeerCertificate): GateVerdict;
  isRevoked(deviceId: string): boolean;
}

export type BrokerHooks = Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> & {
  /** Install (or remove) the registry the TLS connects are checked against. */
  setDeviceGate?(gate: DeviceGate | null): void;
};

/** Device and gateway ids are topic levels: the same rule as the protocol's ids. */
const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
type ReturnCode = AuthenticateError['returnCode'];
const IDENTIFIER_REJECTED: ReturnCode = 2;
const SERVER_UNAVAILABLE: ReturnCode = 3;
const NOT_AUTHORIZED: ReturnCode = 5;

const authError = (message: string, returnCode: ReturnCode): AuthenticateError => Object.assign(new Error(message), { returnCode });

/** The peer certificate's identity, or null when there is none (or no CN). */
export function peerCertificate(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate();
  if (cert === null || typeof cert !== 'object' || !('subject' in cert) || cert.subject === undefined) return null;
  const cn: unknown = cert.subject.CN;
  const deviceId = Array.isArray(cn) ? undefined : cn;
  if (typeof deviceId !== 'string' || deviceId === '') return null;
  return { deviceId, serial: normalizeSerial(cert.serialNumber), validFromMs: Date.parse(cert.valid_from), validToMs: Date.parse(cert.valid_to) };
}

export function accessHooks(events: AccessEvents, log: Logger): BrokerHooks {
  let gate: DeviceGate | null = null;
  const refuseDevice = (reason: ConnectRefusal, fields: Record<string, unknown>): void => {
    events.refusedDevice?.(reason, fields);
    log.warn({ reason, ...fields }, 'device connect refused');
  };

  return {
    setDeviceGate(g) {
      gate = g;
    },
    authenticate(client: Client, _username, _password, done) {
      if (!CLIENT_ID.test(client.id)) {
        events.refused('connect', 'bad-client-id', { clientId: client.id.slice(0, 80) });
        done(authError('client id is not a device id', IDENTIFIER_REJECTED), false);
        return;
      }
      const conn: unknown = client.conn;
      try {
        if (conn instanceof TLSSocket) {
          const peer = conn.authorized ? peerCertificate(conn) : null;
          if (peer === null) {
            refuseDevice('no-certificate', { clientId: client.id });
            done(authError('no valid client certificate', NOT_AUTHORIZED), false);
            return;
          }
          if (peer.deviceId !== client.id) {
            refuseDevice('client-id-not-certificate', { clientId: client.id, certificateId: peer.deviceId });
            done(authError('client id is not the certificate\'s device id', IDENTIFIER_REJECTED), false);
            return;
          }
          if (gate === null) {
            refuseDevice('no-registry', { clientId: client.id });
            done(authError('no device registry', SERVER_UNAVAILABLE), false);
            return;
          }
          const verdict = gate.checkPeer(peer);
          if (!verdict.ok) {
            refuseDevice(verdict.reason, { clientId: client.id, serial: peer.serial });
            done(authError(`device refused: ${verdict.reason}`, NOT_AUTHORIZED), false);
            return;
          }
        } else if (gate?.isRevoked(client.id) === true) {
          refuseDevice('device-revoked', { clientId: client.id, listener: 'plain' });
          done(authError('device refused: device-revoked', NOT_AUTHORIZED), false);
          return;
        }
      } catch (err) {
        // The registry failed (disk): refuse this connect, the device retries with its backoff.
        log.error({ clientId: client.id, err: err instanceof Error ? err.message : String(err) }, 'device check failed');
        done(authError('device registry unavailable', SERVER_UNAVAILABLE), false);
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
