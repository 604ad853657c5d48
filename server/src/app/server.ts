/**
 * createServer: wires store, broker, ingest and HTTP; `start()` listens, `stop()` shuts down in
 * order (HTTP; broker; last group committed; database closed). Plugins (the list service, later
 * the console) get the fastify instance and the broker before anything listens.
 */
import { RescardError, topics } from '@rescard/shared';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { startEmbeddedBroker, type BrokerTlsOptions, type EmbeddedBroker } from '../adapters/mqtt/embedded-broker.js';
import { accessHooks } from '../adapters/mqtt/access-hooks.js';
import { buildHttp } from '../adapters/http/build-http.js';
import type { IngestStore, QueryStore } from '../ports/ingest-store.js';
import type { IngestWriter } from '../ports/ingest-writer.js';
import { GroupWriter } from './group-writer.js';
import { createIngestHandler } from './ingest-handlers.js';
import { Rejects } from './rejects.js';

export interface ServerContext {
  readonly http: FastifyInstance;
  readonly broker: EmbeddedBroker;
  readonly query: QueryStore;
  readonly log: Logger;
  /** The data folder (server.db is there; plugins keep their files beside it), null in memory. */
  readonly dataDir: string | null;
  /** The tap writer and the reject counters (read by the metrics). */
  readonly writer: IngestWriter;
  readonly rejects: Rejects;
}

/** What a plugin leaves running; `close` runs at stop, before the broker closes. */
export interface PluginHandle {
  close?(): void | Promise<void>;
}

/**
 * Registers routes on `http` (e.g. `ctx.http.register(listRoutes, opts)`), subscriptions or
 * retained publishes on `broker`. Runs before anything listens.
 */
export type ServerPlugin = (ctx: ServerContext) => void | PluginHandle | Promise<void | PluginHandle>;

export interface ServerDeps {
  /** Where taps go: a writer (e.g. the WriterThread over server.db), or a store for a GroupWriter in this thread. */
  readonly writer?: IngestWriter;
  readonly ingest?: IngestStore;
  readonly query: QueryStore;
  readonly log: Logger;
  readonly host: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** MQTT over TLS with client certificates (ADR 0007); absent: plain only. */
  readonly mqttTls?: BrokerTlsOptions;
  /** false: no plain MQTT listener. Default true. */
  readonly mqttPlain?: boolean;
  /** Append every MQTT message to this file (diagnostics; adapters/mqtt/publish-capture.ts). */
  readonly mqttCapturePath?: string;
  readonly lateAfterMs: number;
  readonly ingestOptions: { readonly maxGroupTaps: number; readonly maxDelayMs: number };
  readonly now?: () => number;
  readonly dataDir?: string;
  readonly plugins?: readonly ServerPlugin[];
  /** Awaited in stop() after the final commit, before onStopped (e.g. stop a checkpointer). */
  readonly beforeClose?: () => Promise<void>;
  /** Called last in stop(), after the final commit (e.g. close the database). */
  readonly onStopped?: () => void;
}

export interface RunningServer extends ServerContext {
  /** mqtts: the TLS listener's port, null when there is none. */
  readonly ports: { readonly http: number; readonly mqtt: number; readonly mqtts: number | null };
  stop(): Promise<void>;
}

export async function createServer(deps: ServerDeps): Promise<RunningServer> {
  const log = deps.log;
  const now = deps.now ?? Date.now;
  const rejects = new Rejects(log.child({ module: 'rejects' }));
  const writer: IngestWriter | null = deps.writer ?? (deps.ingest ? new GroupWriter(deps.ingest, { ...deps.ingestOptions, lateAfterMs: deps.lateAfterMs, now }, log.child({ module: 'ingest' })) : null);
  if (writer === null) throw new RescardError('CONFIG_INVALID', 'createServer needs a writer or an ingest store');
  const hooks = accessHooks(
    { refused: (kind, reason, fields) => rejects.add(`acl-${kind}`, reason, fields), refusedDevice: (reason, fields) => rejects.add('acl-connect', reason, fields) },
    log.child({ module: 'acl' }),
  );
  const broker = await startEmbeddedBroker({
    host: deps.host, port: deps.mqttPort, hooks, log: log.child({ module: 'mqtt' }),
    ...(deps.mqttTls ? { tls: deps.mqttTls } : {}), ...(deps.mqttPlain === undefined ? {} : { plain: deps.mqttPlain }),
    ...(deps.mqttCapturePath === undefined ? {} : { capturePath: deps.mqttCapturePath }),
  });
  const startedAtMs = now();
  const http = buildHttp({
    query: deps.query,
    // Request lines are info: kept out of the log unless the level is debug.
    logger: log.child({ module: 'http' }, { level: log.isLevelEnabled('debug') ? log.level : 'warn' }),
    health: () => ({ uptimeMs: now() - startedAtMs, mqtt: { port: broker.port, clients: broker.aedes.connectedClients }, ingest: { ...writer.stats, ...(writer.queued ? { queuedTaps: writer.queued.taps, peakQueuedTaps: writer.queued.peakTaps } : {}), ...(writer.thread ? { writerUp: writer.thread.up, writerRestarts: writer.thread.restarts } : {}) }, rejects: rejects.snapshot() }),
  });
  const handles: PluginHandle[] = [];
  try {
    const handle = createIngestHandler({ writer, publish: (topic, payload, o) => broker.publish(topic, payload, o), rejects, now, log: log.child({ module: 'ingest' }) });
    for (const filter of [topics.allDeviceTaps, topics.allGatewayTaps, topics.allDeviceStatus, topics.allGatewayStatus, topics.allGatewayTerminals]) {
      await broker.subscribe(filter, handle);
    }
    const ctx: ServerContext = { http, broker, query: deps.query, log, dataDir: deps.dataDir ?? null, writer, rejects };
    for (const plugin of deps.plugins ?? []) {
      const h = await plugin(ctx);
      if (h) handles.push(h);
    }
    await http.listen({ host: deps.host, port: deps.httpPort });
  } catch (err) {
    await broker.close();
    await http.close();
    throw err;
  }
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : deps.httpPort;
  log.info({ http: httpPort, mqtt: broker.port }, 'server started');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await http.close();
      for (const h of handles) await h.close?.();
      await writer.drain();
      await broker.close();
      await writer.drain();
      await deps.beforeClose?.();
      deps.onStopped?.();
      log.info('server stopped');
    })());

  return { http, broker, query: deps.query, log, dataDir: deps.dataDir ?? null, ports: { http: httpPort, mqtt: broker.port, mqtts: broker.tlsPort }, writer, rejects, stop };
}
