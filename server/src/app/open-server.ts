/**
 * The default server on one data folder: server.db (SQLite) there, then createServer. Used by
 * main.ts, the tests and the benchmark.
 */
import type { Logger } from 'pino';
import { openServerDb, type ServerDb } from '../adapters/sqlite/open-server-db.js';
import { WalCheckpointer } from '../adapters/sqlite/wal-checkpointer.js';
import { WriterThread } from '../adapters/sqlite/writer-thread.js';
import { SqliteQueryStore } from '../adapters/sqlite/sqlite-query-store.js';
import type { ServerConfig } from '../config/server-config.js';
import { brokerNames, loadOrIssueBrokerTls } from '../pki/broker-certificate.js';
import { createServer, type RunningServer, type ServerPlugin } from './server.js';

export async function openServer(config: ServerConfig, log: Logger, plugins: readonly ServerPlugin[] = []): Promise<RunningServer & { db: ServerDb }> {
  // MQTT over TLS (ADR 0007): the project CA (made on first use) and the broker's certificate.
  const tls = config.mqttTls ? await loadOrIssueBrokerTls(config.dataDir, { names: brokerNames([config.mqttPublicHost, ...config.tlsNames]) }) : null;
  if (tls?.caCreated) log.warn({ dir: config.dataDir }, 'project CA created in the data folder (back up ca/ and pki/)');
  const db = openServerDb(config.dbPath);
  const checkpointer = new WalCheckpointer(config.dbPath, log.child({ module: 'checkpoint' }));
  let writer: WriterThread | null = null;
  try {
    writer = await WriterThread.start({
      dbPath: config.dbPath,
      group: { ...config.ingest, lateAfterMs: config.lateAfterMs },
      maxQueuedTaps: config.ingest.maxQueuedTaps,
      log: log.child({ module: 'ingest' }),
    });
    const w = writer;
    const server = await createServer({
      writer: w,
      query: new SqliteQueryStore(db),
      log,
      host: config.host,
      httpPort: config.httpPort,
      mqttPort: config.mqttPort,
      ...(tls ? { mqttTls: { port: config.mqttTlsPort, keyPem: tls.keyPem, certPem: tls.certPem, caPem: tls.caPem } } : {}),
      mqttPlain: config.mqttPlain,
      ...(config.mqttCapture === undefined ? {} : { mqttCapturePath: config.mqttCapture }),
      lateAfterMs: config.lateAfterMs,
      ingestOptions: config.ingest,
      plugins,
      dataDir: config.dataDir,
      onStopped: () => db.close(),
      beforeClose: async () => {
        await w.stop();
        await checkpointer.stop();
      },
    });
    return { ...server, db };
  } catch (err) {
    await writer?.stop();
    await checkpointer.stop();
    db.close();
    throw err;
  }
}
