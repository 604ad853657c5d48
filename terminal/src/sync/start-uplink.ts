/**
 * Wiring of the sync half of the terminal (used by `start` when the config has `uplink`):
 * the MQTT bus with its last will, the tap uplink and the heartbeat. Part of the composition
 * root; the logic lives in uplink.ts / uplink-window.ts / heartbeat*.ts.
 */
import { readFileSync } from 'node:fs';
import { startCertificateRenewal, topics } from '@rescard/shared';
import type { Logger } from 'pino';
import { MqttMessageBus, type MqttTlsFiles } from '../adapters/mqtt/mqtt-message-bus.js';
import type { ListMeta, Profile } from '../core/model.js';
import type { Clock } from '../ports/clock.js';
import type { DeviceStatus } from '../ports/feedback.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { TapJournal } from '../ports/tap-journal.js';
import { buildHeartbeat, offlineStatus } from './heartbeat.js';
import { HeartbeatPublisher } from './heartbeat-publisher.js';
import { SystemScheduler, type Scheduler } from './scheduler.js';
import { Uplink } from './uplink.js';
import { createListSync, type ListSyncDeps } from './lists-sync.js';

/** The device's TLS identity and where it is renewed (shared/src/device-pki/renewal-timer.ts). */
export interface DeviceTls extends MqttTlsFiles {
  readonly renewServer?: string;
  readonly renewAtFraction: number;
}

/** The config's `uplink` section, defaults applied (config/terminal-config.ts). */
export interface UplinkConfig {
  readonly url: string;
  /** The device certificate, its key and the project CA, for an mqtts:// url (rescard-terminal enroll writes them). */
  readonly tls?: DeviceTls;
  readonly clientId: string;
  readonly batchSize: number;
  readonly maxInFlightBatches: number;
  readonly ackTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly listsBaseUrl?: string;
}

export interface StartUplinkDeps {
  readonly config: UplinkConfig;
  readonly deviceId: string;
  readonly profile: Profile;
  readonly appVersion: string;
  readonly journal: TapJournal;
  readonly lists: { meta(): ListMeta[] };
  readonly latenciesMs: () => readonly number[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Lists over the same connection (when config.listsBaseUrl is set). */
  readonly listSync?: Omit<ListSyncDeps, 'bus' | 'baseUrl' | 'log' | 'now'>;
  /** Tests: an in-memory bus and virtual time instead of MQTT and real timers. */
  readonly bus?: MessageBus;
  readonly scheduler?: Scheduler;
}

export interface RunningUplink {
  readonly uplink: Uplink;
  readonly heartbeat: HeartbeatPublisher;
  /** Call after each journaled tap: it goes ahead of any backlog. */
  tapJournaled(seq: number): void;
  /** Call with each device status (restricted mode, clock fault) for the heartbeat. */
  noteStatus(status: DeviceStatus): void;
  close(): Promise<void>;
}

export async function startUplink(deps: StartUplinkDeps): Promise<RunningUplink> {
  const { config, deviceId, log } = deps;
  const bus =
    deps.bus ??
    new MqttMessageBus({
      url: config.url,
      clientId: config.clientId,
      will: { topic: topics.deviceStatus(deviceId), payload: offlineStatus(deviceId) },
      ...(config.tls ? { tls: config.tls } : {}),
      reconnectMinMs: config.reconnectMinMs,
      reconnectMaxMs: config.reconnectMaxMs,
      log,
    });
  const scheduler = deps.scheduler ?? new SystemScheduler();
  const uplink = new Uplink({
    deviceId,
    journal: deps.journal,
    bus,
    scheduler,
    clock: deps.clock,
    log,
    options: { batchSize: config.batchSize, maxInFlightBatches: config.maxInFlightBatches, ackTimeoutMs: config.ackTimeoutMs },
  });
  let clockFault = false;
  let peripheralsOffline = false;
  const heartbeat = new HeartbeatPublisher({
    deviceId,
    bus,
    scheduler,
    heartbeatMs: config.heartbeatMs,
    log,
    build: () => {
      const rejected = Object.values(uplink.rejects.snapshot()).reduce((a, b) => a + b, 0);
      return buildHeartbeat({
        deviceId,
        profile: deps.profile,
        appVersion: deps.appVersion,
        nowMs: deps.clock.wallMs(),
        journal: deps.journal.stats(),
        lists: deps.lists.meta(),
        clockFault,
        latenciesMs: deps.latenciesMs(),
        alarms: [...(peripheralsOffline ? ['PERIPHERAL_OFFLINE'] : []), ...(rejected > 0 ? ['UPLINK_ACKS_REJECTED'] : [])],
      });
    },
  });
  const lists =
    config.listsBaseUrl && deps.listSync
      ? createListSync({ ...deps.listSync, bus, baseUrl: config.listsBaseUrl, now: () => deps.clock.wallMs(), log })
      : null;
  await lists?.start();
  await uplink.start();
  heartbeat.start();
  const tls = config.tls;
  const renewal = tls?.renewServer
    ? startCertificateRenewal({ server: tls.renewServer, deviceId, files: tls, atFraction: tls.renewAtFraction, log })
    : null;
  if (tls && !tls.renewServer) log.warn({ certFile: tls.certFile }, 'no uplink.tls.renewServer: the device certificate is not renewed automatically (rescard-terminal renew)');
  log.info({ url: config.url, clientId: config.clientId }, 'uplink started');
  return {
    uplink,
    heartbeat,
    tapJournaled: (seq) => uplink.tapJournaled(seq),
    noteStatus: (status) => {
      clockFault = status.clockFault;
      peripheralsOffline = status.peripheralsOffline;
    },
    close: async () => {
      renewal?.stop();
      lists?.stop();
      uplink.stop();
      await heartbeat.stop();
      await bus.close();
    },
  };
}

/** The terminal package's version, for the heartbeat (read once from package.json). */
export function terminalAppVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
