/**
 * The signed freshness message (topics.freshness(audience), retained): "the lists of this
 * audience are at these versions, and a device holding exactly them may treat them as fresh until
 * expiresAt". The server re-signs it periodically; a device verifies it with the pinned list keys.
 *
 * Signed bytes = FRESHNESS_SIGNING_CONTEXT + canonical JSON of
 *   {"v":1,"audience":…,"lists":{<list>:<version>, in benefit, stoplist, roster, canteen order},
 *    "issuedAt":…,"expiresAt":…,"kid":…}
 * (no whitespace, strings as JSON.stringify writes them). The context differs from
 * MANIFEST_SIGNING_CONTEXT, so a freshness signature can never pass as a list manifest's, nor the
 * reverse, though the same key signs both.
 */
import { sign, verify } from 'node:crypto';
import { LIST_FILE_LIST_NAMES, isoUtcMs } from '../lists/manifest.js';
import type { ListSigner, ListVerifiers } from '../lists/manifest-signature.js';
import type { Freshness } from './messages.js';

export const FRESHNESS_SIGNING_CONTEXT = 'rescard/freshness/v1\n';
const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

export type UnsignedFreshness = Omit<Freshness, 'signature' | 'kid'>;

export type FreshnessCheck =
  | { readonly ok: true; readonly issuedAtMs: number; readonly expiresAtMs: number }
  | { readonly ok: false; readonly reason: 'unknown-kid' | 'signature' | 'times' | 'expired' };

/** The canonical text the signature covers (without the context prefix). */
export function canonicalFreshnessJson(msg: Omit<Freshness, 'signature'>): string {
  const lists = LIST_FILE_LIST_NAMES.filter((l) => msg.lists[l] !== undefined)
    .map((l) => `${JSON.stringify(l)}:${JSON.stringify(msg.lists[l])}`)
    .join(',');
  return `{"v":1,"audience":${JSON.stringify(msg.audience)},"lists":{${lists}},"issuedAt":${JSON.stringify(msg.issuedAt)},` +
    `"expiresAt":${JSON.stringify(msg.expiresAt)},"kid":${JSON.stringify(msg.kid)}}`;
}

function signedBytes(msg: Omit<Freshness, 'signature'>): Buffer {
  return Buffer.from(FRESHNESS_SIGNING_CONTEXT + canonicalFreshnessJson(msg), 'utf8');
}

/** Sign a freshness message with the list signing key (kid taken from the signer). */
export function signFreshness(msg: UnsignedFreshness, signer: ListSigner): Freshness {
  const withKid = { ...msg, kid: signer.kid };
  return { ...withKid, signature: sign(null, signedBytes(withKid), signer.privateKey).toString('base64') };
}

/**
 * Check a decoded freshness message: pinned kid, signature, well-formed times, not expired at
 * `nowMs` (trusted time). An expected outcome, so a value, never an exception.
 */
export function verifyFreshness(msg: Freshness, verifiers: ListVerifiers, nowMs: number): FreshnessCheck {
  const key = verifiers.get(msg.kid);
  if (key === undefined) return { ok: false, reason: 'unknown-kid' };
  const sig = BASE64_SIGNATURE.test(msg.signature) ? Buffer.from(msg.signature, 'base64') : null;
  if (sig === null || !verify(null, signedBytes(msg), key, sig)) return { ok: false, reason: 'signature' };
  const issuedAtMs = isoUtcMs(msg.issuedAt);
  const expiresAtMs = isoUtcMs(msg.expiresAt);
  if (Number.isNaN(issuedAtMs) || Number.isNaN(expiresAtMs) || expiresAtMs <= issuedAtMs) return { ok: false, reason: 'times' };
  if (expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, issuedAtMs, expiresAtMs };
}
