/**
 * The list manifest: what a list file (or, later, a list message) claims about itself, and the
 * exact bytes its Ed25519 signature covers. docs/list-format.md describes the whole format.
 *
 * Canonical bytes: the JSON of the ten fields in MANIFEST_FIELDS order, no whitespace, strings
 * escaped by JSON.stringify, integers in decimal. parseManifest accepts the fields in any order
 * and spacing, so the signature is over the canonical form, never over the bytes as received.
 */
import { RescardError } from '../errors.js';

export type ListFileListName = 'benefit' | 'stoplist' | 'roster' | 'canteen';
export const LIST_FILE_LIST_NAMES: readonly ListFileListName[] = ['benefit', 'stoplist', 'roster', 'canteen'];
/** Lists for the whole region; the others are per school ("school:<id>"). */
const REGION_LISTS: ReadonlySet<string> = new Set(['benefit', 'stoplist']);

export const LIST_FORMAT = 1;
export const REGION_AUDIENCE = 'region';
const SCHOOL_AUDIENCE = /^school:[A-Za-z0-9._-]{1,64}$/;
export const LIST_KID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

export interface ListManifest {
  readonly format: 1;
  readonly list: ListFileListName;
  /** "region" (benefit, stoplist) or "school:<id>" (roster, canteen). */
  readonly audience: string;
  /** Strictly increasing per list, from 1. */
  readonly version: number;
  /** null for a snapshot; for a delta, the exact version it applies on (< version). */
  readonly baseVersion: number | null;
  /** Lowercase hex SHA-256 of the payload bytes (everything after the header's newline). */
  readonly sha256: string;
  /** Id of the Ed25519 key that signs the manifest. */
  readonly kid: string;
  /** ISO-8601 UTC, e.g. 2025-09-01T03:00:00Z. */
  readonly issuedAt: string;
  readonly expiresAt: string;
  /** Number of payload lines. */
  readonly count: number;
}

/** A dev-mode manifest may leave out what a human cannot easily write; present ones are checked. */
export type DevListManifest = Omit<ListManifest, 'sha256' | 'kid' | 'count'> &
  { readonly sha256?: string; readonly kid?: string; readonly count?: number };

export const MANIFEST_FIELDS = [
  'format', 'list', 'audience', 'version', 'baseVersion', 'sha256', 'kid', 'issuedAt', 'expiresAt', 'count',
] as const satisfies readonly (keyof ListManifest)[];
const DEV_OPTIONAL: ReadonlySet<string> = new Set(['sha256', 'kid', 'count']);

function bad(field: string, rule: string): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list manifest: "${field}" ${rule}`, { reason: 'manifest', field });
}

const isInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/** Epoch ms of a strict ISO-8601 UTC timestamp (calendar-checked), or NaN. */
export function isoUtcMs(value: string): number {
  if (!ISO_UTC.test(value)) return NaN;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return NaN;
  const back = new Date(ms).toISOString(); // rejects 2025-02-30 (Date rolls it over)
  return back.slice(0, 19) === value.slice(0, 19) ? ms : NaN;
}

/** True when `audience` is a valid audience for `list`. */
export function audienceFits(list: ListFileListName, audience: string): boolean {
  return REGION_LISTS.has(list) ? audience === REGION_AUDIENCE : SCHOOL_AUDIENCE.test(audience);
}

function parseFields(value: unknown, dev: boolean): DevListManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('manifest', 'must be a JSON object');
  const m = value as Record<string, unknown>;
  const known: ReadonlySet<string> = new Set(MANIFEST_FIELDS);
  for (const key of Object.keys(m)) if (!known.has(key)) throw bad(key, 'is not a manifest field');
  for (const key of MANIFEST_FIELDS) {
    if (!Object.hasOwn(m, key) && !(dev && DEV_OPTIONAL.has(key))) throw bad(key, 'is missing');
  }
  const { format, list, audience, version, baseVersion, sha256, kid, issuedAt, expiresAt, count } = m;
  if (format !== LIST_FORMAT) throw bad('format', `must be ${LIST_FORMAT}`);
  if (typeof list !== 'string' || !(LIST_FILE_LIST_NAMES as readonly string[]).includes(list)) {
    throw bad('list', `must be one of ${LIST_FILE_LIST_NAMES.join(', ')}`);
  }
  const name = list as ListFileListName;
  if (typeof audience !== 'string' || !audienceFits(name, audience)) {
    throw bad('audience', REGION_LISTS.has(name) ? `must be "${REGION_AUDIENCE}" for ${name}` : `must be "school:<id>" for ${name}`);
  }
  if (!isInt(version, 1)) throw bad('version', 'must be a positive integer');
  if (baseVersion !== null && !isInt(baseVersion, 1)) throw bad('baseVersion', 'must be null or a positive integer');
  if (baseVersion !== null && baseVersion >= version) throw bad('baseVersion', 'must be lower than version');
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256))) {
    throw bad('sha256', 'must be 64 lowercase hex digits');
  }
  if (kid !== undefined && (typeof kid !== 'string' || !LIST_KID_PATTERN.test(kid))) {
    throw bad('kid', 'must be 1-32 characters of A-Z a-z 0-9 . _ -');
  }
  const issuedMs = typeof issuedAt === 'string' ? isoUtcMs(issuedAt) : NaN;
  if (Number.isNaN(issuedMs)) throw bad('issuedAt', 'must be an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.sss]Z)');
  const expiresMs = typeof expiresAt === 'string' ? isoUtcMs(expiresAt) : NaN;
  if (Number.isNaN(expiresMs)) throw bad('expiresAt', 'must be an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.sss]Z)');
  if (expiresMs <= issuedMs) throw bad('expiresAt', 'must be later than issuedAt');
  if (count !== undefined && !isInt(count, 0)) throw bad('count', 'must be a non-negative integer');
  return {
    format: LIST_FORMAT, list: name, audience, version, baseVersion,
    issuedAt: issuedAt as string, expiresAt: expiresAt as string,
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(kid === undefined ? {} : { kid }),
    ...(count === undefined ? {} : { count }),
  };
}

/** Validate an untrusted manifest strictly; LIST_FILE_INVALID names the offending field. */
export function parseManifest(value: unknown): ListManifest {
  return parseFields(value, false) as ListManifest;
}

/** Validate a dev-mode manifest: as parseManifest, but sha256, kid and count may be absent. */
export function parseDevManifest(value: unknown): DevListManifest {
  return parseFields(value, true);
}

/** The manifest as canonical JSON text (what the file's header carries, what is signed). */
export function canonicalManifestJson(manifest: ListManifest): string {
  return `{${MANIFEST_FIELDS.map((k) => `${JSON.stringify(k)}:${JSON.stringify(manifest[k])}`).join(',')}}`;
}

export function canonicalManifestBytes(manifest: ListManifest): Buffer {
  return Buffer.from(canonicalManifestJson(manifest), 'utf8');
}

/** The manifest's times as epoch ms. */
export function manifestTimesMs(manifest: DevListManifest): { issuedAtMs: number; expiresAtMs: number } {
  return { issuedAtMs: isoUtcMs(manifest.issuedAt), expiresAtMs: isoUtcMs(manifest.expiresAt) };
}
