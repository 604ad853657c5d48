/**
 * The mqtt.js specifics of MqttConnection: the client options of one connection attempt (TLS
 * files read now), and ending a client with force so that nothing it holds stays pending.
 */
import { connect, type MqttClient } from 'mqtt';
import { readDeviceTls, type DeviceTlsFiles } from '../device-pki/renew-client.js';

/** What one connection attempt needs. */
export interface ConnectSettings {
  /** mqtt://host:port, or mqtts://host:port with `tls`. */
  readonly url: string;
  /** The device certificate, its key and the project CA (required for mqtts://). */
  readonly tls?: DeviceTlsFiles;
  readonly clientId: string;
  /** Published by the broker if this client vanishes (retained, QoS 1). */
  readonly will?: { readonly topic: string; readonly payload: Buffer };
  readonly connectTimeoutMs?: number;
  readonly keepaliveS?: number;
}

/**
 * One mqtt.js client for one connection: MQTT 3.1.1, clean session, no reconnect and no
 * resubscribe of its own, no offline queue. Throws when the certificate files are unreadable or
 * mqtt.js refuses the TLS material (the caller counts it as a failed attempt).
 */
export function openClient(s: ConnectSettings): MqttClient {
  return connect(s.url, {
    ...(s.url.startsWith('mqtts://') && s.tls !== undefined ? readDeviceTls(s.tls) : {}),
    clientId: s.clientId,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    connectTimeout: s.connectTimeoutMs ?? 10_000,
    keepalive: s.keepaliveS ?? 30,
    ...(s.will ? { will: { topic: s.will.topic, payload: s.will.payload, qos: 1, retain: true } } : {}),
  });
}

/**
 * Ends a client with force: every callback still in flight fails now (its caller resends) and
 * the socket is cut (no DISCONNECT: the broker publishes the will). end(true) alone fails them
 * too, but is a no-op while a clean end(false) still waits for PUBACKs.
 */
export function endWithForce(client: MqttClient): void {
  for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
  client.end(true);
  client.stream.destroy();
}

/** Whether `p` fulfils within `ms` (false on a timeout or a rejection). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
