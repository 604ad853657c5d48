/** JSON Schemas of the /api/auth and /api/audit routes (validation and OpenAPI). */
import { errorBody } from '../adapters/http/errors.js';
import { USERNAME_PATTERN } from './accounts.js';
import { ROLES } from './principal.js';

const ids = { type: 'array', maxItems: 1000, items: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } } as const;
const scopeSchema = { type: 'object', properties: { schools: ids, carriers: ids, routes: ids } } as const;
const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const username = { type: 'string', pattern: USERNAME_PATTERN } as const;
const role = { type: 'string', enum: [...ROLES] } as const;

export const account = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' }, scope: scopeSchema, disabled: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } },
} as const;

export const token = {
  type: 'object',
  properties: { id: { type: 'string' }, accountId: { type: 'string' }, name: { type: ['string', 'null'] }, createdAt: { type: 'string' }, expiresAt: { type: ['string', 'null'] }, revokedAt: { type: ['string', 'null'] } },
} as const;

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 429: errorBody } as const;
export const responses = (ok: object, okStatus = 200): Record<number, object> => ({ [okStatus]: ok, ...errors });

export const loginBody = { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password } } as const;
export const loginReply = { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string' } }, required: ['token', 'expiresAt'] } as const;

export const newAccountBody = {
  type: 'object', required: ['username', 'role'], additionalProperties: false,
  properties: { username, role, password, reason: { type: 'string', maxLength: 500 }, ...scopeSchema.properties },
} as const;
export const changeAccountBody = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: { role, password, disabled: { type: 'boolean' }, reason: { type: 'string', maxLength: 500 }, ...scopeSchema.properties },
} as const;
export const newTokenBody = {
  type: 'object', required: ['name'], additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
    accountId: { type: 'string', maxLength: 64, description: 'admin only: a token for another account' },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;
export const newTokenReply = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, token: { type: 'string' }, expiresAt: { type: ['string', 'null'] } } } as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export const auditQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time', description: 'entries at or after this time' },
    to: { type: 'string', format: 'date-time', description: 'entries before this time' },
    afterId: { type: 'integer', minimum: 0, description: 'paging: the `next` of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;
export const auditReply = {
  type: 'object',
  properties: { entries: { type: 'array', items: { type: 'object', additionalProperties: true } }, next: { type: ['integer', 'null'] } },
} as const;
