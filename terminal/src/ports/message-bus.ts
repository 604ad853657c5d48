/**
 * MessageBus: the terminal's (and gateway's) seam to MQTT. The adapter (MqttMessageBus over the
 * `mqtt` package) connects, reconnects with backoff, and re-subscribes; code above it never sees
 * mqtt types. A publish resolves when the broker acknowledged it (PUBACK for QoS 1): that is
 * transport delivery only — a tap is removed from the journal only on the application-level ack.
 */
export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface MessageBus {
  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void>;
  /** Subscribe (again after every reconnect); the handler gets every matching message. */
  subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void>;
  /** Called on every (re)connection and loss of connection. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  readonly connected: boolean;
  close(): Promise<void>;
}
