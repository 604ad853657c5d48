/**
 * The embedded MQTT broker: the hub broker (@rescard/shared/hub) on up to two listeners (ADR 0007):
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
import { RescardError } from '@rescard/shared';
import { startMqttHub, type HubPublishOptions, type MqttHubTlsOptions } from '@rescard/shared/hub';
import type { Aedes, Client } from 'aedes';
import type { Logger } from 'pino';
import type { BrokerHooks, DeviceGate } from './access-hooks.js';
import { capturePublishes } from './publish-capture.js';

export type BrokerPublishOptions = HubPublishOptions;

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

/** The TLS listener: the project CA's broker certificate; client certificates must chain to `caPem`. */
export type BrokerTlsOptions = MqttHubTlsOptions;

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

export async function startEmbeddedBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const { log, capturePath } = options;
  const { authenticate, authorizePublish, authorizeSubscribe } = options.hooks;
  const setDeviceGate = options.hooks.setDeviceGate?.bind(options.hooks);
  const hub = await startMqttHub({
    host: options.host,
    port: options.port,
    ...(options.plain === undefined ? {} : { plain: options.plain }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    log,
    broker: {
      ...(authenticate ? { authenticate } : {}), ...(authorizePublish ? { authorizePublish } : {}), ...(authorizeSubscribe ? { authorizeSubscribe } : {}),
      // Deliveries in flight broker-wide (mqemitter; aedes' default 100). The ingest holds a
      // delivery while the tap writer is full (back-pressure on that client); with the default,
      // 100 held deliveries would queue every other publish behind them, acks and lists included.
      concurrency: 10_000,
    },
    ...(capturePath === undefined ? {} : { attach: (aedes: Aedes) => capturePublishes(aedes, capturePath, log) }),
  });
  const clients = (hub.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;

  return {
    port: hub.port,
    tlsPort: hub.tlsPort,
    aedes: hub.aedes,
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
    publish: (topic, payload, o) => hub.publish(topic, payload, o),
    subscribe: (filter, handler) => hub.subscribe(filter, handler),
    close: () => hub.close(),
  };
}
