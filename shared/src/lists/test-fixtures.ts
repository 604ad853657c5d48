/**
 * Test fixtures for list files (tests only; not exported from the package): a golden manifest,
 * a fixed Ed25519 key, temp files, synthetic tokens and a raw file builder that writes any bytes
 * with a correct (or deliberately wrong) header.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { encodeHeaderLine } from './list-header.js';
import type { ListFilePut } from './list-record.js';
import { createListSigner, signManifest, type ListSigner } from './manifest-signature.js';
import type { ListManifest } from './manifest.js';

export const GOLDEN_MANIFEST: ListManifest = {
  format: 1,
  list: 'stoplist',
  audience: 'region',
  version: 42,
  baseVersion: 41,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  kid: 'ru-77-2025a',
  issuedAt: '2025-09-01T03:00:00Z',
  expiresAt: '2025-09-02T03:00:00Z',
  count: 0,
};

/** Ed25519 private key with seed 00 01 .. 1f (PKCS#8 DER = fixed prefix + seed). */
const SEED_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
export const FIXED_PRIVATE_KEY = createPrivateKey({
  key: Buffer.from(`302e020100300506032b657004220420${SEED_HEX}`, 'hex'), format: 'der', type: 'pkcs8',
});
export const FIXED_PUBLIC_KEY = createPublicKey(FIXED_PRIVATE_KEY);
export const FIXED_SIGNER: ListSigner = createListSigner('ru-77-2025a', FIXED_PRIVATE_KEY);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempPath(name = 'list.ndjson'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-list-'));
  dirs.push(dir);
  return join(dir, name);
}

/** A canonical 43-character token, reproducible from `i`. */
export function tok(i: number | string): string {
  return createHash('sha256').update(`list-test:${i}`).digest('base64url');
}

export function put(token: string, extra: Partial<Omit<ListFilePut, 'op' | 'card'>> = {}): ListFilePut {
  return { op: 'put', card: { token }, category: null, validFrom: null, validTo: null, attrs: {}, ...extra };
}

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Write a file from raw payload text: the manifest's sha256 and count are computed from `payload`
 * unless `manifest` overrides them; signed with `signer` or dev-mode.
 */
export function writeRawListFile(
  path: string,
  manifest: Partial<ListManifest>,
  payload: string | Buffer,
  signer: ListSigner | 'dev' = FIXED_SIGNER,
): ListManifest {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const lines = bytes.length === 0 ? 0 : bytes.toString('latin1').split('\n').length - 1;
  const m: ListManifest = {
    ...GOLDEN_MANIFEST, baseVersion: null, sha256: sha256Hex(bytes), count: lines,
    kid: signer === 'dev' ? 'dev' : signer.kid, ...manifest,
  };
  const header = encodeHeaderLine(m, signer === 'dev' ? 'dev' : signManifest(m, signer));
  writeFileSync(path, Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), bytes]));
  return m;
}
