/**
 * MessageBus over MQTT 3.1.1 (the `mqtt` package, v5). Clean sessions; mqtt.js's own fixed-
 * period reconnect is off (reconnectPeriod 0) and replaced by a bounded, jittered exponential
 * backoff (backoff.ts). On every connection the adapter re-subscribes its filters first and
 * only then reports `connected`, so an ack can never arrive before its subscription exists.
 * A publish while disconnected fails at once (MQTT_UNAVAILABLE): no hidden offline queue —
 * the journal is the queue. QoS 1 publishes in flight at a disconnect are rejected (see open()).
 *
 * mqtts:// (the server's broker, ADR 0007): the device's key and certificate and the project CA
 * come from files (`tls`), read again at every connection attempt, so a renewed certificate is
 * used from the next reconnect on. The broker is verified against the project CA only.
 */
import { readDeviceTls } from '@rescard/shared';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MessageBus, MessageHandler, PublishOptions } from '../../ports/message-bus.js';
import { topicMatches } from '../../sync/topic-match.js';
import { reconnectDelayMs } from './backoff.js';
import { MqttError } from './mqtt-error.js';

/** The files of a device's TLS identity (enrol writes them: ca.crt, device.crt, device.key). */
export interface MqttTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface MqttMessageBusOptions {
  /** mqtt://host:port, or mqtts://host:port with `tls`. */
  readonly url: string;
  /** Client certificate and CA for mqtts:// (required there). */
  readonly tls?: MqttTlsFiles;
  readonly clientId: string;
  /** Published by the broker if this client vanishes (retained, QoS 1). */
  readonly will?: { readonly topic: string; readonly payload: Buffer };
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly connectTimeoutMs?: number;
  readonly keepaliveS?: number;
  readonly log: Logger;
  readonly random?: () => number;
}

// A clean disconnect waits this long for in-flight PUBACKs, then the socket is cut.
const CLOSE_GRACE_MS = 2000;

export class MqttMessageBus implements MessageBus {
  private client: MqttClient | null = null;
  // Bounded: one entry per filter the program subscribes (a handful), replaced on resubscribe.
  private readonly subs = new Map<string, { qos: 0 | 1; handler: MessageHandler }>();
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private readonly log: Logger;
  private isConnected = false;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: MqttMessageBusOptions) {
    this.log = options.log.child({ module: 'mqtt', url: options.url, clientId: options.clientId });
    this.open();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    const client = this.client;
    if (!this.isConnected || !client) throw new MqttError('MQTT_UNAVAILABLE', 'not connected to the broker', { topic });
    try {
      await client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
    } catch (err) {
      throw new MqttError('MQTT_UNAVAILABLE', `publish failed: ${err instanceof Error ? err.message : String(err)}`, { topic }, { cause: err });
    }
  }

  async subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.subs.set(filter, { qos, handler });
    if (this.isConnected && this.client) await this.subscribeAll(this.client, [filter]);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** A clean disconnect (DISCONNECT sent: the broker does not publish the will). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const client = this.client;
    this.client = null;
    this.setConnected(false);
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS)));
    const ended = await Promise.race([client.endAsync(!client.connected).then(() => 'ended' as const), grace]);
    clearTimeout(timer);
    if (ended === 'timeout') await client.endAsync(true);
  }

  /**
   * One mqtt.js client per connection: when it closes it is ended with force, which fails its
   * in-flight QoS 1 callbacks at once (mqtt.js would otherwise keep them, and their payloads,
   * for a resend that a fresh session never does). The journal resends; the caller sees errors.
   */
  private open(): void {
    let tls: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> = {};
    if (this.options.url.startsWith('mqtts://')) {
      const files = this.options.tls;
      if (files === undefined) throw new MqttError('MQTT_UNAVAILABLE', 'mqtts:// needs the device certificate files (uplink.tls)', { url: this.options.url });
      try {
        tls = readDeviceTls(files);
      } catch (err) {
        // Files gone mid-run (a technician re-enrolling): try again later, like any failed connect.
        this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'device certificate files unreadable');
        this.scheduleReconnect();
        return;
      }
    }
    const mqttOptions: IClientOptions = {
      ...tls,
      clientId: this.options.clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      keepalive: this.options.keepaliveS ?? 30,
      ...(this.options.will ? { will: { topic: this.options.will.topic, payload: this.options.will.payload, qos: 1, retain: true } } : {}),
    };
    let client: MqttClient;
    try {
      client = connect(this.options.url, mqttOptions);
    } catch (err) {
      // mqtt.js throws at once on bad TLS material (a key that is not the certificate's): retry later.
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'mqtt connect failed: retrying');
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    client.on('connect', () => void this.onConnect(client));
    client.on('close', () => this.onClose(client));
    client.on('error', (err) => this.log.warn({ err: err.message }, 'mqtt error'));
    client.on('message', (topic, payload) => this.dispatch(topic, payload));
  }

  private async onConnect(client: MqttClient): Promise<void> {
    try {
      await this.subscribeAll(client, [...this.subs.keys()]);
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'resubscribe failed: dropping the connection');
      client.stream.destroy();
      return;
    }
    if (client !== this.client) return;
    this.attempt = 0;
    this.log.info('connected');
    this.setConnected(true);
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    if (this.isConnected) this.log.warn('connection lost');
    this.setConnected(false);
    client.removeAllListeners('message');
    client.removeAllListeners('connect');
    client.removeAllListeners('close');
    client.end(true);
    if (this.closing) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelayMs(this.attempt, { minMs: this.options.reconnectMinMs, maxMs: this.options.reconnectMaxMs }, this.options.random ?? Math.random);
    this.attempt += 1;
    this.log.debug({ attempt: this.attempt, delayMs: delay }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closing) this.open();
    }, delay);
  }

  private async subscribeAll(client: MqttClient, filters: readonly string[]): Promise<void> {
    if (filters.length === 0) return;
    const map = Object.fromEntries(filters.map((f) => [f, { qos: this.subs.get(f)?.qos ?? 1 }]));
    const grants = await client.subscribeAsync(map);
    const refused = grants.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) throw new MqttError('MQTT_UNAVAILABLE', `subscription refused: ${refused.join(', ')}`, { refused });
  }

  private dispatch(topic: string, payload: Buffer): void {
    for (const [filter, { handler }] of this.subs) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler(topic, payload);
      } catch (err) {
        // A handler bug must not take the connection down; it is logged with its topic.
        this.log.error({ topic, err: err instanceof Error ? err.message : String(err) }, 'message handler failed');
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    for (const listener of this.listeners) {
      try {
        listener(connected);
      } catch (err) {
        this.log.error({ connected, err: err instanceof Error ? err.message : String(err) }, 'connection listener failed');
      }
    }
  }
}
