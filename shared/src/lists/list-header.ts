/**
 * Line 1 of a list file:
 *   signed  {"rescardList":1,"manifest":{...},"signature":"<base64 Ed25519>"}
 *   dev     {"rescardList":1,"dev":true,"manifest":{...}}
 * Parsing validates the shape and the manifest; it does not verify the signature (the device
 * does, with its pinned keys: verifyManifestSignature).
 */
import { RescardError } from '../errors.js';
import {
  canonicalManifestJson, parseDevManifest, parseManifest, type DevListManifest, type ListManifest,
} from './manifest.js';

export const LIST_FILE_VERSION = 1;
/** Longest header line accepted (a manifest is ~300 bytes). */
export const MAX_HEADER_BYTES = 4096;

export type ListFileHeader =
  | { readonly dev: false; readonly manifest: ListManifest; readonly signature: string }
  | { readonly dev: true; readonly manifest: DevListManifest };

export function headerError(problem: string, field: string | null = null): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list file header (line 1): ${problem}`, { reason: 'header', line: 1, field });
}

export function parseHeaderLine(text: string): ListFileHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw headerError('is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw headerError('must be a JSON object');
  const h = value as Record<string, unknown>;
  if (h['rescardList'] !== LIST_FILE_VERSION) {
    throw headerError(`"rescardList" must be ${LIST_FILE_VERSION} (not a rescard list file, or a newer format)`, 'rescardList');
  }
  const dev = Object.hasOwn(h, 'dev');
  if (dev && h['dev'] !== true) throw headerError('"dev" must be true when present', 'dev');
  const allowed = dev ? ['rescardList', 'dev', 'manifest'] : ['rescardList', 'manifest', 'signature'];
  for (const key of Object.keys(h)) {
    if (!allowed.includes(key)) {
      const hint = key === 'signature' ? ' (a dev file is not signed)' : '';
      throw headerError(`"${key}" is not a header field${hint}`, key);
    }
  }
  if (dev) return { dev: true, manifest: parseDevManifest(h['manifest']) };
  const signature = h['signature'];
  if (typeof signature !== 'string') throw headerError('"signature" is missing (an unsigned file must say "dev": true)', 'signature');
  return { dev: false, manifest: parseManifest(h['manifest']), signature };
}

/** The header line (no newline): the manifest in canonical form, then the base64 signature, or 'dev' for a dev file. */
export function encodeHeaderLine(manifest: ListManifest, signature: string): string {
  const m = canonicalManifestJson(manifest);
  return signature === 'dev'
    ? `{"rescardList":${LIST_FILE_VERSION},"dev":true,"manifest":${m}}`
    : `{"rescardList":${LIST_FILE_VERSION},"manifest":${m},"signature":${JSON.stringify(signature)}}`;
}
