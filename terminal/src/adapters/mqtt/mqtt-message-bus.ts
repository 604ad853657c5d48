/**
 * MessageBus over MQTT: a thin user of the devices' one MQTT client, MqttConnection
 * (@rescard/shared/mqtt-client). It connects (mqtts:// with the device's certificate files, read
 * again at every connection attempt), reconnects with a bounded, jittered exponential backoff,
 * re-subscribes every filter before reporting `connected`, fails a publish at once while
 * disconnected (MQTT_UNAVAILABLE: the journal is the queue) and fails the QoS 1 publishes in
 * flight at a disconnect. This adapter adds the port's per-filter handlers.
 */
import type { DeviceTlsFiles } from '@rescard/shared';
import { MqttConnection } from '@rescard/shared/mqtt-client';
import type { Logger } from 'pino';
import type { MessageBus, MessageHandler, PublishOptions } from '../../ports/message-bus.js';
import { topicMatches } from '../../sync/topic-match.js';

/** The files of a device's TLS identity (enrol writes them: ca.crt, device.crt, device.key). */
export type MqttTlsFiles = DeviceTlsFiles;

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

export class MqttMessageBus implements MessageBus {
  private readonly connection: MqttConnection;
  // Bounded: one entry per filter the program subscribes (a handful), replaced on resubscribe.
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly log: Logger;

  /** Connects at once (throws MQTT_UNAVAILABLE for an mqtts:// url without `tls`). */
  constructor(options: MqttMessageBusOptions) {
    this.log = options.log.child({ module: 'mqtt', url: options.url, clientId: options.clientId });
    this.connection = new MqttConnection({ ...options, log: this.log });
    this.connection.onMessage((topic, payload) => this.dispatch(topic, payload));
    this.connection.start();
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    return this.connection.publish(topic, payload, options);
  }

  async subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.handlers.set(filter, handler);
    await this.connection.subscribe(filter, qos);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connection.onConnectionChange(listener);
  }

  /** A clean disconnect (DISCONNECT sent: the broker does not publish the will). */
  close(): Promise<void> {
    return this.connection.close();
  }

  private dispatch(topic: string, payload: Buffer): void {
    for (const [filter, handler] of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler(topic, payload);
      } catch (err) {
        // A handler bug must not take the connection down; it is logged with its topic.
        this.log.error({ topic, err: err instanceof Error ? err.message : String(err) }, 'message handler failed');
      }
    }
  }
}
