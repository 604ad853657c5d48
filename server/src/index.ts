/** The public face of @rescard/server (for the lists module, tests, the demo and benchmarks). */
export { createServer, type PluginHandle, type RunningServer, type ServerContext, type ServerDeps, type ServerPlugin } from './app/server.js';
export { openServer } from './app/open-server.js';
export { loadServerConfig, type ServerConfig, type ServerConfigInput } from './config/server-config.js';
export type { EmbeddedBroker, BrokerPublishOptions } from './adapters/mqtt/embedded-broker.js';
export { openServerDb, type ServerDb } from './adapters/sqlite/open-server-db.js';
export { SqliteIngestStore } from './adapters/sqlite/sqlite-ingest-store.js';
export { SqliteQueryStore } from './adapters/sqlite/sqlite-query-store.js';
export { FakeServerStore } from './ports/fake-server-store.js';
export type * from './ports/ingest-store.js';
export { propagation, type Propagation } from './core/propagation.js';
export { createListService, type ListService } from './lists/index.js';
export { createImportService } from './registry/import-service.js';
export { openRegistryDb } from './registry/registry-db.js';
export { DEFAULT_BENEFIT, DEFAULT_MEAL } from './registry/import-kinds.js';
