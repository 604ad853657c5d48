/**
 * createGateway: wires gateway.db, the local broker, custody, the forwarder, the list relay, the
 * terminal status book, the upstream client and HTTP; `start` happens inside (ports are known
 * when it resolves), `stop()` shuts down in order (HTTP; upstream with a retained offline status;
 * local broker; database). Every commit is durable when it returns, so a kill -9 at any point
 * loses nothing acked (ADR 0005).
 */
import { join } from 'node:path';
import { encodePayload, MAX_RELAYED_STATUSES, startCertificateRenewal, topics, type TerminalStatuses } from '@rescard/shared';
import type { Logger } from 'pino';
import { buildHttp } from '../adapters/http/build-http.js';
import { startLocalBroker } from '../adapters/mqtt/local-broker.js';
import { UpstreamClient } from '../adapters/mqtt/upstream-client.js';
import { openGatewayDb } from '../adapters/sqlite/open-gateway-db.js';
import { SqliteOutbox } from '../adapters/sqlite/sqlite-outbox.js';
import { SqliteRelayState } from '../adapters/sqlite/sqlite-relay-state.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { Custody } from './custody.js';
import { Forwarder } from './forwarder.js';
import { gatewayHeartbeat, heldLists } from './gateway-status.js';
import { ListRelay } from './list-relay.js';
import { Rejects } from './rejects.js';
import { TerminalStatusBook } from './terminal-status.js';

const RELAY_COALESCE_MS = 500;

export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly appVersion: string;
  readonly now?: () => number;
}

export interface RunningGateway {
  readonly ports: { readonly mqtt: number; readonly http: number };
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function createGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const { gatewayId } = config;
  const db = openGatewayDb(join(config.dataDir, 'gateway.db'));
  const outbox = new SqliteOutbox(db, config.outbox.capacityTaps);
  const state = new SqliteRelayState(db);
  const rejects = new Rejects(log.child({ module: 'rejects' }));
  const local = await startLocalBroker({ host: config.local.host, port: config.local.mqttPort, log: log.child({ module: 'local-mqtt' }), refused: (k, r, f) => rejects.add(`acl-${k}`, r, f) }).catch(
    (err: unknown) => {
      db.close(); // the MQTT port is taken (or similar): the database is not left open
      throw err;
    },
  );
  const publishLocal = (topic: string, payload: Buffer, retain = false): Promise<void> => local.publish(topic, payload, { qos: 1, retain });
  const offline = encodePayload({ v: 1, deviceId: gatewayId, online: false } as const);
  const upstream = new UpstreamClient({
    url: config.upstream.mqttUrl, clientId: gatewayId, will: { topic: topics.gatewayStatus(gatewayId), payload: offline }, ...(config.upstream.tls ? { tls: config.upstream.tls } : {}),
    reconnectMinMs: config.upstream.reconnectMinMs, reconnectMaxMs: config.upstream.reconnectMaxMs, log,
  });
  let forwarder: Forwarder | null = null;
  const custody = new Custody({ outbox, publishLocal: (t, p) => publishLocal(t, p), rejects, now, log, onStored: () => forwarder?.pump() });
  forwarder = new Forwarder({
    gatewayId, outbox, upstream, rejects, now, log, onAdvanced: (marks) => custody.tellTerminals(marks),
    options: { maxTaps: config.forward.maxTapsPerMessage, maxBytes: config.forward.maxBytesPerMessage, maxInFlight: config.forward.maxInFlight, ackTimeoutMs: config.forward.ackTimeoutMs, tickMs: config.forward.tickMs },
  });
  const book = new TerminalStatusBook(state, rejects, now, log.child({ module: 'terminals' }));
  const relay = new ListRelay({
    audiences: config.lists.audiences, cacheRoot: join(config.dataDir, 'lists'), state, publishLocal: (t, p) => publishLocal(t, p, true), rejects, now, log,
    fetch: { baseUrl: config.upstream.httpUrl, timeoutMs: config.lists.fetchTimeoutMs, maxBytes: config.lists.maxFileBytes },
    retryMs: config.lists.retryMs, refreshMs: config.lists.refreshMs,
  });
  const heartbeat = (): Buffer =>
    encodePayload(gatewayHeartbeat({
      gatewayId, appVersion: deps.appVersion, outbox, state, now, terminals: () => book.terminals, latenciesMs: () => custody.commitMs,
      alarms: () => [...(custody.stats.refusedFull > 0 && outbox.stats().depth >= config.outbox.capacityTaps - 500 ? ['OUTBOX_FULL'] : []), ...(rejects.total() > 0 ? ['MESSAGES_REJECTED'] : [])],
    }));
  const sendTerminals = (all: boolean): void => {
    const statuses = book.relay(all);
    for (let i = 0; i < statuses.length; i += MAX_RELAYED_STATUSES) {
      const chunk = statuses.slice(i, i + MAX_RELAYED_STATUSES);
      const message: TerminalStatuses = { v: 1, gatewayId, atMs: now(), statuses: chunk };
      upstream.publish(topics.gatewayTerminals(gatewayId), encodePayload(message), { qos: 1 }).then(
        () => book.relayed(chunk),
        (err: unknown) => log.warn({ err }, 'terminal status relay failed (sent again at the next heartbeat)'),
      );
    }
  };
  const sendHeartbeat = (all = false): void => {
    if (!upstream.connected) return;
    upstream.publish(topics.gatewayStatus(gatewayId), heartbeat(), { qos: 1, retain: true }).catch((err: unknown) => log.warn({ err }, 'heartbeat publish failed'));
    sendTerminals(all);
  };

  // A terminal's new status goes upstream within a moment (the server's propagation view of a
  // stop-list change counts terminals behind gateways too), coalesced: at most one relay per
  // RELAY_COALESCE_MS carries every status changed meanwhile; the heartbeat sends them again.
  let relayTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const relaySoon = (): void => {
    if (relayTimer !== null || stopped) return;
    relayTimer = setTimeout(() => {
      relayTimer = null;
      if (upstream.connected) sendTerminals(false);
    }, RELAY_COALESCE_MS);
    relayTimer.unref();
  };
  try {
    await local.subscribe(topics.allDeviceTaps, custody.onMessage);
    await local.subscribe(topics.allDeviceStatus, (topic, payload) => {
      book.onMessage(topic, payload);
      relaySoon();
    });
    await relay.start();
  } catch (err) {
    // Nothing upstream or on HTTP has started yet: undo the broker and the database, then fail.
    stopped = true;
    if (relayTimer !== null) clearTimeout(relayTimer);
    relay.stop();
    await local.close();
    db.close();
    throw err;
  }
  const ackTopic = topics.gatewayAck(gatewayId);
  upstream.configure([ackTopic, ...config.lists.audiences.flatMap((a) => [topics.audienceLists(a), topics.freshness(a)])], (topic, payload) =>
    topic === ackTopic ? forwarder.onAck(topic, payload) : relay.onMessage(topic, payload),
  );
  upstream.onConnectionChange((connected) => {
    forwarder.connectionChanged(connected);
    if (connected) sendHeartbeat(true);
  });
  forwarder.start();
  upstream.start();
  const tls = config.upstream.tls;
  const renewal = tls ? startCertificateRenewal({ server: config.upstream.httpUrl, deviceId: gatewayId, files: tls, atFraction: tls.renewAtFraction, log }) : null;
  const beat = setInterval(() => sendHeartbeat(), config.heartbeatMs);
  beat.unref();

  const health = (): Record<string, unknown> => ({
    gatewayId, upstream: { connected: upstream.connected }, outbox: outbox.stats(), custody: { ...custody.stats }, forward: forwarder.snapshot(),
    lists: { ...relay.counts, held: heldLists(state) }, terminals: Object.fromEntries(book.terminals), rejects: rejects.snapshot(), localClients: local.connectedClients(),
  });
  const http = buildHttp({ cacheRoot: join(config.dataDir, 'lists'), health, logger: log.child({ module: 'http' }, { level: log.isLevelEnabled('debug') ? log.level : 'warn' }) });
  /** Stop everything started above, in order; `httpUp`: the HTTP server is listening. */
  const teardown = async (httpUp: boolean): Promise<void> => {
    stopped = true;
    clearInterval(beat);
    if (relayTimer !== null) clearTimeout(relayTimer);
    renewal?.stop();
    relay.stop();
    forwarder.stop();
    if (httpUp) await http.close();
    await upstream.close({ topic: topics.gatewayStatus(gatewayId), payload: offline });
    await local.close();
    db.close();
  };
  try {
    await http.listen({ host: config.local.host, port: config.local.httpPort });
  } catch (err) {
    await teardown(false); // the HTTP port is taken (or similar): undo everything, then fail
    throw err;
  }
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : config.local.httpPort;
  log.info({ mqtt: local.port, http: httpPort }, 'gateway started');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await teardown(true);
      log.info('gateway stopped');
    })());
  return { ports: { mqtt: local.port, http: httpPort }, health, stop };
}
