/** @rescard/gateway as a library: for scripts (demo) and tests. */
export { createGateway, type GatewayDeps, type RunningGateway } from './app/gateway.js';
export { parseGatewayConfig, loadGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
export { SqliteOutbox } from './adapters/sqlite/sqlite-outbox.js';
export { openGatewayDb } from './adapters/sqlite/open-gateway-db.js';
export type { Outbox } from './ports/outbox.js';
