/** List distribution (ADR 0004): mount createListService and listRoutes from the server's app. */
export { createListService, type ListService, type ListServiceDeps } from './list-service.js';
export { listRoutes, type ListRoutesOptions } from './list-routes.js';
export { loadOrCreateListSigningKey, type ListSigningKey } from './list-keys.js';
export type { ListEntryInput } from './list-input.js';
export type { ListState } from './list-db.js';
export { INLINE_MAX_BYTES } from './list-files.js';
