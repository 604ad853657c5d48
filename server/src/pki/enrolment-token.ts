/**
 * Enrolment tokens: `rset1_<deviceId>_<32 random bytes, base64url>`. The device id is in the
 * clear so the device knows which id to put in its CSR (it is not a secret; the registry row the
 * token's hash points to is what the server trusts: an edited id gives an unknown token). The
 * prefix says what the string is. The server keeps only the SHA-256 of the token: a copy of
 * pki.db does not let anyone enrol; 256 random bits make a plain hash safe here, unlike PANs.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PATTERN = '^rset1_[A-Za-z0-9._-]{1,64}_[A-Za-z0-9_-]{43}$';
const RANDOM_CHARS = 43;

export function newEnrolmentToken(deviceId: string): string {
  return `rset1_${deviceId}_${randomBytes(32).toString('base64url')}`;
}

/** The device id a well-formed token names, or null. */
export function deviceIdOfToken(token: string): string | null {
  if (!new RegExp(TOKEN_PATTERN).test(token)) return null;
  return token.slice('rset1_'.length, token.length - RANDOM_CHARS - 1);
}

export function hashEnrolmentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
