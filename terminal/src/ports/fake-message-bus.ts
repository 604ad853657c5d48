/**
 * FakeMessageBus: MessageBus in memory, for unit tests on virtual time. Publishing while
 * connected records the message and resolves at once (the PUBACK); while disconnected it
 * rejects, as the MQTT adapter does. `deliver` plays a message from the hop; `setConnected`
 * plays a (re)connection or a loss. `loopback` links two fakes as if on one broker.
 */
import { topicMatches } from '../sync/topic-match.js';
import type { MessageBus, MessageHandler, PublishOptions } from './message-bus.js';

export interface FakePublished {
  readonly topic: string;
  readonly payload: Buffer;
  readonly options: PublishOptions;
}

export class FakeMessageBus implements MessageBus {
  readonly published: FakePublished[] = [];
  // One handler per filter, replaced on a repeated subscribe (as a broker does).
  private readonly subs = new Map<string, MessageHandler>();
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private isConnected: boolean;
  closed = false;

  constructor(options: { connected?: boolean } = {}) {
    this.isConnected = options.connected ?? true;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    if (!this.isConnected) return Promise.reject(new Error('FakeMessageBus: not connected'));
    this.published.push({ topic, payload, options });
    return Promise.resolve();
  }

  subscribe(filter: string, _qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.subs.set(filter, handler);
    return Promise.resolve();
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.setConnected(false);
    return Promise.resolve();
  }

  /** Test control: connection gained or lost (listeners called synchronously). */
  setConnected(connected: boolean): void {
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    for (const l of this.listeners) l(connected);
  }

  /** Test control: a message from the broker reaches the matching subscriptions. */
  deliver(topic: string, payload: Buffer | string): void {
    const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
    for (const [filter, handler] of this.subs) if (topicMatches(filter, topic)) handler(topic, buf);
  }

  /** Messages published on `topic`, and forget them (a hop consuming its inbox). */
  take(topic: string): FakePublished[] {
    const out: FakePublished[] = [];
    for (let i = 0; i < this.published.length; ) {
      if (this.published[i]!.topic === topic) out.push(...this.published.splice(i, 1));
      else i += 1;
    }
    return out;
  }
}
