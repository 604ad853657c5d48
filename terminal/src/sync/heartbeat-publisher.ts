/**
 * Publishes the heartbeat retained (QoS 1) on the device's status topic: at once on every
 * (re)connection — replacing the retained last will — and then every `heartbeatMs`. While
 * offline nothing queues: a heartbeat is a snapshot, and the next connection sends a fresh one.
 * `stop` publishes the retained offline status, since a clean disconnect fires no last will.
 */
import { encodePayload, topics, type Heartbeat } from '@rescard/shared';
import type { Logger } from 'pino';
import type { MessageBus } from '../ports/message-bus.js';
import { offlineStatus } from './heartbeat.js';
import type { Scheduler } from './scheduler.js';

export interface HeartbeatPublisherDeps {
  readonly deviceId: string;
  readonly bus: MessageBus;
  readonly scheduler: Scheduler;
  readonly heartbeatMs: number;
  readonly build: () => Heartbeat;
  readonly log: Logger;
}

export class HeartbeatPublisher {
  private cancel: (() => void) | null = null;
  private stopped = false;
  private readonly log: Logger;
  sent = 0;

  constructor(private readonly deps: HeartbeatPublisherDeps) {
    this.log = deps.log.child({ module: 'heartbeat' });
  }

  start(): void {
    this.deps.bus.onConnectionChange((connected) => {
      if (connected) this.publishNow();
    });
    if (this.deps.bus.connected) this.publishNow();
    this.schedule();
  }

  publishNow(): void {
    const { bus, deviceId } = this.deps;
    if (this.stopped || !bus.connected) return;
    let heartbeat: Heartbeat;
    try {
      heartbeat = this.deps.build();
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat not built');
      return;
    }
    this.sent += 1;
    bus.publish(topics.deviceStatus(deviceId), encodePayload(heartbeat), { qos: 1, retain: true }).catch((err: unknown) => {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat publish failed');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
    const { bus, deviceId } = this.deps;
    if (!bus.connected) return;
    await bus.publish(topics.deviceStatus(deviceId), offlineStatus(deviceId), { qos: 1, retain: true }).catch((err: unknown) => {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'offline status not published');
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancel = this.deps.scheduler.after(this.deps.heartbeatMs, () => {
      this.publishNow();
      this.schedule();
    });
  }
}
