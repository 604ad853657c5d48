/**
 * The gateway's connection to the server (the `mqtt` package, MQTT 3.1.1, clean session,
 * clientId = gatewayId). mqtt.js's fixed-period reconnect is off and replaced by a jittered
 * exponential backoff (core/backoff.ts). On every connection the filters are subscribed again
 * first and only then `connected` is reported, so an upstream ack can never arrive before its
 * subscription exists. A publish while disconnected fails at once: no hidden offline queue — the
 * outbox is the queue. On close the client is ended with force, failing its in-flight publishes.
 * (The terminal's MqttMessageBus does the same; it is not exported by @rescard/terminal.)
 */
import { readDeviceTls, type DeviceTlsFiles } from '@rescard/shared';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { reconnectDelayMs } from '../../core/backoff.js';

export type UpstreamHandler = (topic: string, payload: Buffer) => void;

export interface UpstreamOptions {
  readonly url: string;
  /** mqtts://: the gateway's certificate, key and the project CA, read again at every connect (a renewed certificate is used from the next one). */
  readonly tls?: DeviceTlsFiles;
  readonly clientId: string;
  readonly will: { readonly topic: string; readonly payload: Buffer };
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly log: Logger;
}

export class UpstreamClient {
  private client: MqttClient | null = null;
  // One entry per filter (a handful: ack, lists and freshness per audience).
  private readonly filters: string[] = [];
  private handler: UpstreamHandler = () => undefined;
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private isConnected = false;
  private closing = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private readonly options: UpstreamOptions) {
    this.log = options.log.child({ module: 'upstream', url: options.url });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Set the filters and the one message handler before start(). */
  configure(filters: readonly string[], handler: UpstreamHandler): void {
    this.filters.splice(0, this.filters.length, ...filters);
    this.handler = handler;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.open();
  }

  async publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!this.isConnected || client === null) throw new Error('upstream not connected');
    await client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  /** A clean disconnect after `last` (e.g. the offline status) is published, if connected. */
  async close(last?: { topic: string; payload: Buffer }): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    if (client === null) return;
    if (last && this.isConnected) await Promise.race([this.publish(last.topic, last.payload, { qos: 1, retain: true }).catch(() => undefined), sleep(2000)]);
    this.client = null;
    this.setConnected(false);
    await Promise.race([client.endAsync(false), sleep(2000)]);
    await client.endAsync(true);
  }

  private open(): void {
    let tls: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> = {};
    const files = this.options.tls;
    if (this.options.url.startsWith('mqtts://') && files !== undefined) {
      try {
        tls = readDeviceTls(files);
      } catch (err) {
        this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'gateway certificate files unreadable: retrying');
        this.retryLater();
        return;
      }
    }
    let client: MqttClient;
    try {
      client = connect(this.options.url, {
        ...tls,
        clientId: this.options.clientId,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
        resubscribe: false,
        queueQoSZero: false,
        connectTimeout: 10_000,
        keepalive: 30,
        will: { topic: this.options.will.topic, payload: this.options.will.payload, qos: 1, retain: true },
      });
    } catch (err) {
      // mqtt.js throws at once on bad TLS material (a key that is not the certificate's): retry later.
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'upstream connect failed: retrying');
      this.retryLater();
      return;
    }
    this.client = client;
    client.on('connect', () => void this.onConnect(client));
    client.on('close', () => this.onClose(client));
    client.on('error', (err) => this.log.warn({ err: err.message }, 'upstream mqtt error'));
    client.on('message', (topic, payload) => {
      try {
        this.handler(topic, payload);
      } catch (err) {
        this.log.error({ topic, err: err instanceof Error ? err.message : String(err) }, 'upstream handler failed');
      }
    });
  }

  private async onConnect(client: MqttClient): Promise<void> {
    try {
      if (this.filters.length > 0) {
        const grants = await client.subscribeAsync(Object.fromEntries(this.filters.map((f) => [f, { qos: 1 as const }])));
        const refused = grants.filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) throw new Error(`subscription refused: ${refused.join(', ')}`);
      }
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'upstream subscribe failed: dropping the connection');
      client.stream.destroy();
      return;
    }
    if (client !== this.client) return;
    this.attempt = 0;
    this.log.info('upstream connected');
    this.setConnected(true);
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    if (this.isConnected) this.log.warn('upstream connection lost');
    this.setConnected(false);
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end(true);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.closing) return;
    const delay = reconnectDelayMs(this.attempt++, { minMs: this.options.reconnectMinMs, maxMs: this.options.reconnectMaxMs }, Math.random);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closing) this.open();
    }, delay);
  }

  private setConnected(connected: boolean): void {
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    for (const l of this.listeners) {
      try {
        l(connected);
      } catch (err) {
        this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'connection listener failed');
      }
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
