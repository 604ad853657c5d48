/**
 * MqttConnection: the devices' one MQTT client (a terminal's MessageBus, a gateway's upstream),
 * over the `mqtt` package (v5), MQTT 3.1.1, clean sessions.
 *
 * - Reconnect: mqtt.js's fixed-period reconnect is off (reconnectPeriod 0). One mqtt.js client
 *   per connection; after a loss or a failed attempt the next one comes after a jittered
 *   exponential backoff (backoff.ts), which a successful connection resets.
 * - mqtts:// (ADR 0007): the device's key and certificate and the project CA are read from files
 *   at every attempt (readDeviceTls), so a renewed certificate is used from the next connection
 *   on; unreadable files or bad TLS material are a failed attempt, retried with the backoff.
 * - Subscriptions: on every connection all filters are subscribed first and only then is
 *   `connected` reported, so an ack can never arrive before its subscription exists. A refused
 *   subscription drops the connection (and the next attempt tries again).
 * - A publish while disconnected fails at once (MQTT_UNAVAILABLE): no hidden offline queue, the
 *   caller's journal or outbox is the queue. A connection that closes is ended with force, which
 *   fails its in-flight QoS 1 publishes at once (mqtt.js would keep them, and their payloads, for
 *   a resend that a fresh session never does); the caller sends them again.
 * - close(): a clean DISCONNECT (the broker drops the will) once the in-flight PUBACKs are in,
 *   waiting at most `closeGraceMs`; then the socket is cut and what is still in flight fails.
 */
import type { MqttClient } from 'mqtt';
import { reconnectDelayMs } from './backoff.js';
import { endWithForce, openClient, within, type ConnectSettings } from './mqtt-js.js';
import { MqttError } from './mqtt-error.js';

/** What the client logs through (a pino Logger fits); the caller binds module, url, clientId. */
export interface MqttLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type MqttMessageHandler = (topic: string, payload: Buffer) => void;

export interface MqttPublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export interface MqttConnectionOptions extends ConnectSettings {
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** How long close() waits for in-flight PUBACKs (and `last`) before cutting the socket. */
  readonly closeGraceMs?: number;
  readonly log: MqttLog;
  /** The backoff's jitter source, a value in [0, 1) (tests inject one). */
  readonly random?: () => number;
}

const DEFAULT_CLOSE_GRACE_MS = 2000;

export class MqttConnection {
  private client: MqttClient | null = null;
  // Bounded: one entry per filter the program subscribes (a handful), replaced on resubscribe.
  private readonly filters = new Map<string, 0 | 1>();
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private handler: MqttMessageHandler = () => undefined;
  private readonly log: MqttLog;
  private isConnected = false;
  private started = false;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: MqttConnectionOptions) {
    this.log = options.log;
    if (options.url.startsWith('mqtts://') && options.tls === undefined) throw new MqttError('MQTT_UNAVAILABLE', 'mqtts:// needs the device certificate files (tls)', { url: options.url });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Opens the first connection; the next ones follow by themselves until close(). */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.open();
  }

  /** Resolves on the broker's PUBACK (QoS 1); fails at once while disconnected. */
  async publish(topic: string, payload: Buffer, options: MqttPublishOptions): Promise<void> {
    const client = this.client;
    if (!this.isConnected || client === null) throw new MqttError('MQTT_UNAVAILABLE', 'not connected to the broker', { topic });
    try {
      await client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
    } catch (err) {
      throw new MqttError('MQTT_UNAVAILABLE', `publish failed: ${text(err)}`, { topic }, { cause: err });
    }
  }

  /** Adds (or replaces) a filter: subscribed now when connected, and again on every connection. */
  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    this.filters.set(filter, qos);
    if (this.isConnected && this.client !== null) await this.subscribeAll(this.client, [filter]);
  }

  /** The one handler of every message received; a throw is logged and the connection stays. */
  onMessage(handler: MqttMessageHandler): void {
    this.handler = handler;
  }

  /** Told on every (re)connection (after the resubscribe) and every loss. */
  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** A clean disconnect, after `last` (e.g. a retained offline status) when connected. */
  async close(last?: { readonly topic: string; readonly payload: Buffer }): Promise<void> {
    const graceMs = this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.closing = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (last !== undefined && this.isConnected) await within(this.publish(last.topic, last.payload, { qos: 1, retain: true }), graceMs);
    const client = this.client;
    this.client = null;
    this.setConnected(false);
    if (client === null) return;
    // end(false) waits for the in-flight PUBACKs, then sends DISCONNECT.
    if (client.connected && (await within(client.endAsync(false), graceMs))) return;
    endWithForce(client);
  }

  private open(): void {
    let client: MqttClient;
    try {
      client = openClient(this.options);
    } catch (err) {
      // Certificate files gone (a technician re-enrolling) or bad TLS material (mqtt.js throws at
      // once on a key that is not the certificate's): a failed attempt, tried again later.
      this.log.error({ err: text(err) }, 'mqtt connect failed: retrying');
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
      // Until every filter (also those added meanwhile) is in: only then `connected`.
      const done = new Set<string>();
      for (let todo = [...this.filters.keys()]; todo.length > 0; todo = [...this.filters.keys()].filter((f) => !done.has(f))) {
        await this.subscribeAll(client, todo);
        for (const f of todo) done.add(f);
      }
    } catch (err) {
      if (client !== this.client) return;
      this.log.error({ err: text(err) }, 'resubscribe failed: dropping the connection');
      client.stream.destroy();
      return;
    }
    if (client !== this.client) return;
    this.attempt = 0;
    this.log.info({}, 'connected');
    this.setConnected(true);
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    if (this.isConnected) this.log.warn({}, 'connection lost');
    this.setConnected(false);
    client.removeAllListeners('message');
    client.removeAllListeners('connect');
    client.removeAllListeners('close');
    endWithForce(client);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const delayMs = reconnectDelayMs(this.attempt, { minMs: this.options.reconnectMinMs, maxMs: this.options.reconnectMaxMs }, this.options.random ?? Math.random);
    this.attempt += 1;
    this.log.debug({ attempt: this.attempt, delayMs }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closing) this.open();
    }, delayMs);
  }

  private async subscribeAll(client: MqttClient, filters: readonly string[]): Promise<void> {
    if (filters.length === 0) return;
    const grants = await client.subscribeAsync(Object.fromEntries(filters.map((f) => [f, { qos: this.filters.get(f) ?? 1 }]))).catch((err: unknown) => {
      throw new MqttError('MQTT_UNAVAILABLE', `subscribe failed: ${text(err)}`, { filters }, { cause: err });
    });
    // A guard: mqtt.js 5 already rejects subscribeAsync on a 0x80 grant (the catch above), but a
    // refused filter must never count as subscribed whatever the library version does.
    const refused = grants.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) throw new MqttError('MQTT_UNAVAILABLE', `subscription refused: ${refused.join(', ')}`, { refused });
  }

  private dispatch(topic: string, payload: Buffer): void {
    try {
      this.handler(topic, payload);
    } catch (err) {
      // A handler bug must not take the connection down; it is logged with its topic.
      this.log.error({ topic, err: text(err) }, 'message handler failed');
    }
  }

  private setConnected(connected: boolean): void {
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    for (const listener of this.listeners) {
      try {
        listener(connected);
      } catch (err) {
        this.log.error({ connected, err: text(err) }, 'connection listener failed');
      }
    }
  }
}

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));
