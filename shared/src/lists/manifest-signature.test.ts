import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import {
  createListSigner, createListVerifiers, generateListSigningKey, signManifest, verifyManifestSignature, type ListVerifiers,
} from './manifest-signature.js';
import type { ListManifest } from './manifest.js';
import { FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY, FIXED_SIGNER, GOLDEN_MANIFEST } from './test-fixtures.js';

// Made with OpenSSL 3 outside Node, from the same seed (00 01 .. 1f) and the same signed bytes:
//   printf '302e020100300506032b657004220420%s' 000102...1f | xxd -r -p > k.der
//   openssl pkey -inform DER -in k.der -out k.pem
//   printf 'rescard/list-manifest/v1\n<canonical JSON of GOLDEN_MANIFEST>' > m.bin
//   openssl pkeyutl -sign -inkey k.pem -rawin -in m.bin | base64 -w0
const GOLDEN_SIGNATURE = '562hIZATi/D4V9bnKEEIhyVDWYb73+u5ghuZupmLY9ijBRw7fnFttgPncJ1HgvV85bGKze/rp4z0yqO70FuVDA==';
const FIXED_PUBLIC_PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\n-----END PUBLIC KEY-----\n';

const verifiers: ListVerifiers = createListVerifiers({ 'ru-77-2025a': FIXED_PUBLIC_PEM });

function refusal(fn: () => unknown): RescardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('accepted');
}

function flipBit(base64: string, bit: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return bytes.toString('base64');
}

describe('Ed25519 manifest signatures', () => {
  it('match a signature made by OpenSSL (Ed25519 is deterministic)', () => {
    expect(signManifest(GOLDEN_MANIFEST, FIXED_SIGNER)).toBe(GOLDEN_SIGNATURE);
    expect(() => verifyManifestSignature(GOLDEN_MANIFEST, GOLDEN_SIGNATURE, verifiers)).not.toThrow();
    expect(FIXED_PUBLIC_KEY.export({ type: 'spki', format: 'pem' })).toBe(FIXED_PUBLIC_PEM);
  });

  it('round-trip with a fresh key, PEM and KeyObject alike', () => {
    const { signer, publicKeyPem } = generateListSigningKey('k2');
    const m: ListManifest = { ...GOLDEN_MANIFEST, kid: 'k2' };
    const sig = signManifest(m, signer);
    expect(() => verifyManifestSignature(m, sig, createListVerifiers({ k2: publicKeyPem }))).not.toThrow();
  });

  it('refuse every single flipped bit of the signature', () => {
    for (let bit = 0; bit < 512; bit += 1) {
      const err = refusal(() => verifyManifestSignature(GOLDEN_MANIFEST, flipBit(GOLDEN_SIGNATURE, bit), verifiers));
      expect(err.details).toMatchObject({ reason: 'signature' });
    }
  });

  it('refuse a manifest changed in any field', () => {
    const changes: Partial<ListManifest>[] = [
      { version: 43 }, { baseVersion: 40 }, { count: 1 }, { expiresAt: '2025-09-03T03:00:00Z' },
      { sha256: `f${GOLDEN_MANIFEST.sha256.slice(1)}` }, { audience: 'region', list: 'benefit' },
    ];
    for (const change of changes) {
      const err = refusal(() => verifyManifestSignature({ ...GOLDEN_MANIFEST, ...change }, GOLDEN_SIGNATURE, verifiers));
      expect(err.code).toBe('LIST_FILE_INVALID');
      expect(err.details).toMatchObject({ reason: 'signature' });
    }
  });

  it('refuse malformed signatures without throwing anything else', () => {
    for (const sig of ['', 'not base64!', GOLDEN_SIGNATURE.slice(0, 86), `${GOLDEN_SIGNATURE}AA==`, GOLDEN_SIGNATURE.replace('==', '')]) {
      expect(refusal(() => verifyManifestSignature(GOLDEN_MANIFEST, sig, verifiers)).details).toMatchObject({ reason: 'signature' });
    }
  });

  it('name an unknown kid, and rotate: old and new kid both verify while both are pinned', () => {
    const next = generateListSigningKey('ru-77-2026a');
    const m2: ListManifest = { ...GOLDEN_MANIFEST, kid: 'ru-77-2026a' };
    const err = refusal(() => verifyManifestSignature(m2, signManifest(m2, next.signer), verifiers));
    expect(err.details).toMatchObject({ reason: 'unknown-kid', kid: 'ru-77-2026a' });
    expect(err.message).toContain('ru-77-2026a');
    const both = createListVerifiers({ 'ru-77-2025a': FIXED_PUBLIC_KEY, 'ru-77-2026a': next.publicKeyPem });
    expect(() => verifyManifestSignature(GOLDEN_MANIFEST, GOLDEN_SIGNATURE, both)).not.toThrow();
    expect(() => verifyManifestSignature(m2, signManifest(m2, next.signer), both)).not.toThrow();
  });

  it('a signature by another key under a pinned kid is refused', () => {
    const other = generateListSigningKey('ru-77-2025a');
    expect(refusal(() => verifyManifestSignature(GOLDEN_MANIFEST, signManifest(GOLDEN_MANIFEST, other.signer), verifiers)).details)
      .toMatchObject({ reason: 'signature' });
  });
});

describe('keys', () => {
  it('refuses private keys as verifiers, other algorithms, junk PEM, bad kids, an empty set', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(refusal(() => createListVerifiers({ k: FIXED_PRIVATE_KEY })).code).toBe('CONFIG_INVALID');
    expect(refusal(() => createListVerifiers({ k: rsa })).message).toContain('Ed25519');
    expect(refusal(() => createListVerifiers({ k: 'not a pem' })).code).toBe('CONFIG_INVALID');
    expect(refusal(() => createListVerifiers({ 'bad kid': FIXED_PUBLIC_KEY })).code).toBe('CONFIG_INVALID');
    expect(refusal(() => createListVerifiers({})).code).toBe('CONFIG_INVALID');
    expect(refusal(() => createListSigner('k', FIXED_PUBLIC_KEY)).code).toBe('CONFIG_INVALID');
  });

  it('signing refuses an invalid manifest or a kid that is not the signer\'s', () => {
    expect(refusal(() => signManifest({ ...GOLDEN_MANIFEST, version: 0 }, FIXED_SIGNER)).details).toMatchObject({ field: 'version' });
    expect(refusal(() => signManifest({ ...GOLDEN_MANIFEST, kid: 'other' }, FIXED_SIGNER)).details).toMatchObject({ field: 'kid' });
  });
});
