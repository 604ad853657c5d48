/**
 * @rescard/shared/hub: what the two hub programs (rescard-server, rescard-gateway) share: the
 * embedded MQTT broker, the list-file route, and how their `start` ends. Needs the optional peer
 * dependencies aedes and fastify. Test helpers are in ./testing.ts (not exported here).
 */
export type { HubLog } from './hub-log.js';
export * from './mqtt-hub.js';
export * from './list-file-route.js';
export * from './program-exit.js';
