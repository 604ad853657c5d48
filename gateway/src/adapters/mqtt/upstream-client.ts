/**
 * The gateway's connection to the server (clientId = gatewayId): a thin user of the devices' one
 * MQTT client, MqttConnection (@rescard/shared/mqtt-client). It connects (mqtts:// with the
 * gateway's certificate files, read again at every connect), reconnects with a jittered
 * exponential backoff, subscribes the filters again before reporting `connected` (an upstream
 * ack can never arrive before its subscription exists), fails a publish at once while
 * disconnected (MQTT_UNAVAILABLE: the outbox is the queue) and on close ends with force what is
 * still in flight after the grace period.
 */
import type { DeviceTlsFiles } from '@rescard/shared';
import { MqttConnection } from '@rescard/shared/mqtt-client';
import type { Logger } from 'pino';

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
  private readonly connection: MqttConnection;
  private readonly log: Logger;

  constructor(options: UpstreamOptions) {
    this.log = options.log.child({ module: 'upstream', url: options.url });
    this.connection = new MqttConnection({ ...options, log: this.log });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** Set the filters (QoS 1; a handful: ack, lists and freshness per audience) and the one message handler before start(). */
  configure(filters: readonly string[], handler: UpstreamHandler): void {
    this.connection.onMessage(handler);
    for (const filter of filters) {
      this.connection.subscribe(filter, 1).catch((err: unknown) => this.log.error({ filter, err: err instanceof Error ? err.message : String(err) }, 'upstream subscribe failed'));
    }
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connection.onConnectionChange(listener);
  }

  start(): void {
    this.connection.start();
  }

  publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    return this.connection.publish(topic, payload, options);
  }

  /** A clean disconnect after `last` (e.g. the offline status) is published, if connected. */
  close(last?: { topic: string; payload: Buffer }): Promise<void> {
    return this.connection.close(last);
  }
}
