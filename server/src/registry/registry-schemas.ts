/** JSON Schemas of the registry routes (registry-plugin.ts). */
import { IMPORT_KINDS } from './import-kinds.js';
import { STOP_REASONS } from './stop-store.js';

const anyObject = { type: 'object', additionalProperties: true } as const;

export const registryErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: anyObject },
    },
  },
} as const;

export const errors = { 400: registryErrorBody, 401: registryErrorBody, 403: registryErrorBody, 404: registryErrorBody, 413: registryErrorBody, 503: registryErrorBody } as const;

const card = {
  pan: { type: 'string', minLength: 12, maxLength: 32, pattern: '^[0-9 -]+$' },
  par: { type: 'string', minLength: 29, maxLength: 40 },
  token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
  kid: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,32}$' },
} as const;

const oneCard = { oneOf: [{ required: ['pan'] }, { required: ['par'] }, { required: ['token'] }] } as const;

const importLineError = { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } } as const;
const importVersion = {
  type: 'object',
  properties: { list: { type: 'string' }, audience: { type: 'string' }, version: { type: 'integer' }, changed: { type: 'boolean' }, count: { type: 'integer' } },
} as const;

export const importRecord = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { type: 'string' }, status: { type: 'string' }, sha256: { type: ['string', 'null'] },
    sizeBytes: { type: 'integer' }, rows: { type: 'integer' }, rowsValid: { type: 'integer' }, errorCount: { type: 'integer' },
    errors: { type: 'array', items: importLineError }, message: { type: ['string', 'null'] }, actor: { type: 'string' },
    startedAtMs: { type: 'integer' }, finishedAtMs: { type: ['integer', 'null'] }, versions: { type: 'array', items: importVersion },
    progress: {
      type: 'object',
      properties: { phase: { type: 'string' }, rowsParsed: { type: 'integer' }, rowsValid: { type: 'integer' }, errorCount: { type: 'integer' }, sizeBytes: { type: 'integer' } },
    },
  },
} as const;

export const importParams = {
  type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { type: 'string', enum: [...IMPORT_KINDS] } },
} as const;

export const importQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    importId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    /** A school-limited import: every row must name this school (what a school account may upload). */
    school: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
  },
} as const;

export const importIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } } as const;

export const recentQuery = {
  type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
} as const;

export const stopAddBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  ...oneCard,
  properties: {
    ...card,
    reason: { type: 'string', enum: [...STOP_REASONS] },
    expiresAt: { type: 'string', maxLength: 40 },
    note: { type: 'string', maxLength: 500 },
  },
} as const;

export const stopRemoveBody = { type: 'object', additionalProperties: false, ...oneCard, properties: { ...card, note: { type: 'string', maxLength: 500 } } } as const;

export const stopTokenParams = { type: 'object', required: ['token'], properties: { token: card.token } } as const;
export const stopTokenQuery = { type: 'object', additionalProperties: false, properties: { kid: card.kid } } as const;

export const stopChange = {
  type: 'object',
  properties: {
    version: { type: 'integer' }, token: { type: 'string' }, kid: { type: 'string' }, panMasked: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] }, expiresAt: { type: ['string', 'null'] },
  },
} as const;

export const propagationQuery = {
  type: 'object', additionalProperties: false, required: ['version'], properties: { version: { type: 'integer', minimum: 1 } },
} as const;

const position = {
  type: 'object',
  properties: { deviceId: { type: 'string' }, kind: { type: ['string', 'null'] }, version: { type: 'integer' }, online: { type: 'boolean' }, lastSeenMs: { type: 'integer' } },
} as const;

export const propagationBody = {
  type: 'object',
  properties: {
    list: { type: 'string' }, version: { type: 'integer' }, currentVersion: { type: 'integer' },
    atOrPast: { type: 'array', items: position }, behind: { type: 'array', items: position }, notReporting: { type: 'integer' },
  },
} as const;

export const whyBody = {
  type: 'object', additionalProperties: false, ...oneCard, properties: { ...card, tapLimit: { type: 'integer', minimum: 1, maximum: 500, default: 20 } },
} as const;

export const whyReply = {
  type: 'object',
  properties: {
    token: { type: 'string' }, kid: { type: 'string' }, panMasked: { type: ['string', 'null'] },
    entries: { type: 'array', items: anyObject }, stoplist: { type: ['object', 'null'], additionalProperties: true },
    stoplistHistory: { type: 'array', items: anyObject }, taps: { type: 'array', items: anyObject },
  },
} as const;
