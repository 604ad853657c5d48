/**
 * Fixtures for loadListFile tests (tests only): a signing key and the device's pinned verifiers,
 * the dev token keyring, temp files, record builders and a raw writer for hand-made (broken) files.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, createListVerifiers, encodeHeaderLine, generateListSigningKey, signManifest,
  writeListFile, type ListFilePut, type ListFileRecord, type ListManifest, type ListManifestDraft, type ListSigner,
} from '@rescard/shared';
import { afterAll } from 'vitest';
import { LIST_NAMES, type ListEntry } from '../core/model.js';
import type { ListStore } from '../ports/list-store.js';
import type { LoadListFileOptions } from './load-list-file.js';

export const KEY = generateListSigningKey('ru-77-2025a');
export const ROGUE = generateListSigningKey('ru-77-2025a'); // same kid, another key: a forger
export const VERIFIERS = createListVerifiers({ [KEY.signer.kid]: KEY.publicKeyPem });
export const KEYRING = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);

export const NOW_MS = Date.parse('2025-09-03T12:00:00Z');
export const ISSUED = '2025-09-03T03:00:00Z';
export const EXPIRES = '2025-09-10T03:00:00Z';

export function draft(list: ListManifest['list'], version: number, baseVersion: number | null = null, more: Partial<ListManifestDraft> = {}): ListManifestDraft {
  const audience = list === 'benefit' || list === 'stoplist' ? 'region' : 'school:S1';
  return { list, audience, version, baseVersion, issuedAt: ISSUED, expiresAt: EXPIRES, ...more };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempPath(name = 'list.ndjson'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-load-'));
  dirs.push(dir);
  return join(dir, name);
}

export const tok = (i: number | string): string => createHash('sha256').update(`load-test:${i}`).digest('base64url');

export function put(token: string, extra: Partial<Omit<ListFilePut, 'op' | 'card'>> = {}): ListFilePut {
  return { op: 'put', card: { token }, category: null, validFrom: null, validTo: null, attrs: {}, ...extra };
}

export const del = (token: string): ListFileRecord => ({ op: 'del', card: { token } });

export async function writeSigned(d: ListManifestDraft, records: readonly ListFileRecord[], signer: ListSigner = KEY.signer): Promise<string> {
  const path = tempPath();
  await writeListFile(path, d, records, signer);
  return path;
}

/** A file from raw payload text; sha256 and count computed unless overridden; signed or dev. */
export function writeRaw(d: ListManifestDraft, payload: string, override: Partial<ListManifest> = {}, signer: ListSigner | 'dev' = KEY.signer): string {
  const path = tempPath();
  const bytes = Buffer.from(payload, 'utf8');
  const count = payload === '' ? 0 : payload.split('\n').length - 1;
  const m: ListManifest = {
    format: 1, ...d, sha256: createHash('sha256').update(bytes).digest('hex'), count, kid: signer === 'dev' ? 'dev' : signer.kid, ...override,
  };
  writeFileSync(path, `${encodeHeaderLine(m, signer === 'dev' ? 'dev' : signManifest(m, signer))}\n${payload}`);
  return path;
}

export function options(store: ListStore, more: Partial<LoadListFileOptions> = {}): LoadListFileOptions {
  return { store, keyring: KEYRING, verifiers: VERIFIERS, allowDev: false, audiences: ['region', 'school:S1'], nowMs: NOW_MS, ...more };
}

/** Everything a store holds for `tokens`, for before/after comparisons. */
export function storeState(store: ListStore, tokens: readonly string[]): { meta: unknown; entries: ListEntry[] } {
  const entries = store.lookup(tokens, LIST_NAMES).sort((a, b) => `${a.list}${a.token}`.localeCompare(`${b.list}${b.token}`));
  return { meta: store.meta(), entries };
}
