/**
 * Ed25519 signatures over list manifests (node:crypto, no library).
 *
 * Signed bytes = MANIFEST_SIGNING_CONTEXT + canonicalManifestBytes(manifest). The context string
 * separates list manifests from anything else the same key may sign later (e.g. the periodic
 * freshness message), so one signature can never be replayed as another kind of message.
 *
 * Verifiers hold public keys by kid ({ kid -> key }): during a key rotation a device pins the old
 * and the new key, the server switches to the new kid, and the old kid is removed afterwards.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, KeyObject } from 'node:crypto';
import { RescardError } from '../errors.js';
import { LIST_KID_PATTERN, canonicalManifestBytes, parseManifest, type ListManifest } from './manifest.js';

export const MANIFEST_SIGNING_CONTEXT = 'rescard/list-manifest/v1\n';
const SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]{86}==$/;

export interface ListSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

/** Public keys by kid: what a device pins at provisioning. */
export type ListVerifiers = ReadonlyMap<string, KeyObject>;

function keyError(message: string, kid: string): RescardError {
  return new RescardError('CONFIG_INVALID', `list signing key "${kid}": ${message}`, { kid });
}

function checkKid(kid: string): void {
  if (!LIST_KID_PATTERN.test(kid)) throw keyError('kid must be 1-32 characters of A-Z a-z 0-9 . _ -', kid);
}

function toKey(kid: string, key: KeyObject | string, type: 'private' | 'public'): KeyObject {
  let object: KeyObject;
  try {
    object = key instanceof KeyObject ? key : type === 'private' ? createPrivateKey(key) : createPublicKey(key);
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `list signing key "${kid}": not a readable PEM key`, { kid }, { cause: err });
  }
  if (object.type !== type) throw keyError(`must be a ${type} key (got ${object.type})`, kid);
  if (object.asymmetricKeyType !== 'ed25519') throw keyError(`must be Ed25519 (got ${String(object.asymmetricKeyType)})`, kid);
  return object;
}

/** A signer from an Ed25519 private key (PEM text or KeyObject). */
export function createListSigner(kid: string, privateKey: KeyObject | string): ListSigner {
  checkKid(kid);
  return { kid, privateKey: toKey(kid, privateKey, 'private') };
}

/** Verifiers from { kid: Ed25519 public key (PEM text or KeyObject) }. Private keys are refused. */
export function createListVerifiers(keys: Readonly<Record<string, KeyObject | string>>): ListVerifiers {
  const map = new Map<string, KeyObject>();
  for (const [kid, key] of Object.entries(keys)) {
    checkKid(kid);
    map.set(kid, toKey(kid, key, 'public'));
  }
  if (map.size === 0) throw new RescardError('CONFIG_INVALID', 'list verifiers: at least one public key is required');
  return map;
}

/** A fresh key pair (tests, scripts, provisioning): the signer and its public key as PEM. */
export function generateListSigningKey(kid: string): { signer: ListSigner; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: createListSigner(kid, privateKey), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function signedBytes(manifest: ListManifest): Buffer {
  return Buffer.concat([Buffer.from(MANIFEST_SIGNING_CONTEXT, 'utf8'), canonicalManifestBytes(manifest)]);
}

/** Sign a manifest (validated first; its kid must be the signer's); returns base64. */
export function signManifest(manifest: ListManifest, signer: ListSigner): string {
  const checked = parseManifest(manifest);
  if (checked.kid !== signer.kid) {
    throw new RescardError('LIST_FILE_INVALID', `list manifest: kid "${checked.kid}" is not the signer's "${signer.kid}"`, {
      reason: 'manifest', field: 'kid',
    });
  }
  return sign(null, signedBytes(checked), signer.privateKey).toString('base64');
}

function rejected(message: string, reason: string, kid: string): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list file: ${message}`, { reason, kid });
}

/** Throws LIST_FILE_INVALID unless `signature` (base64) is a valid signature of `manifest` by its kid. */
export function verifyManifestSignature(manifest: ListManifest, signature: string, verifiers: ListVerifiers): void {
  const key = verifiers.get(manifest.kid);
  if (key === undefined) {
    const known = [...verifiers.keys()].join(', ');
    throw rejected(`signed by unknown key "${manifest.kid}" (this device trusts: ${known})`, 'unknown-kid', manifest.kid);
  }
  const bytes = BASE64.test(signature) ? Buffer.from(signature, 'base64') : null;
  if (bytes?.length !== SIGNATURE_BYTES || !verify(null, signedBytes(manifest), key, bytes)) {
    throw rejected(`the manifest signature does not verify with key "${manifest.kid}" (forged or altered)`, 'signature', manifest.kid);
  }
}
