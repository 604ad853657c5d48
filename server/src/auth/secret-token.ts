/**
 * Opaque bearer tokens: 32 random bytes, base64url, with a prefix saying the kind (`rcs_` a login
 * session, `rca_` an API token), so a leaked one is recognisable in a secret scanner. Only the
 * SHA-256 of a token is stored; a token is shown once, when it is made.
 */
import { createHash, randomBytes } from 'node:crypto';

export type CredentialKind = 'session' | 'api';

const PREFIX: Record<CredentialKind, string> = { session: 'rcs_', api: 'rca_' };
const SHAPE = /^rc[sa]_[A-Za-z0-9_-]{43}$/;

export interface NewToken {
  readonly id: string;
  readonly token: string;
  readonly sha256: string;
}

export function newToken(kind: CredentialKind): NewToken {
  const token = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { id: newId(), token, sha256: tokenSha256(token) };
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before any database look-up. */
export function looksLikeToken(value: string): boolean {
  return SHAPE.test(value);
}

/** Ids of accounts and credentials: 16 base64url characters (not UUIDs, whose digit runs the audit redaction could take for a PAN). */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** A random password for generated accounts (bootstrap admin): 24 base64url characters, 144 bits. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
