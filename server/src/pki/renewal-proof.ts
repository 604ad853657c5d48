/**
 * Proof of possession for certificate renewal (ADR 0007): the device signs, with the private
 * key of its current certificate (RSA PKCS#1 v1.5, SHA-256), the text
 *
 *   rescard-renew-v1\n<deviceId>\n<nonce>\n<sha256 hex of the CSR PEM>
 *
 * where the nonce is one the server handed out for this device a moment ago (one-time, short-
 * lived). The CSR binds the new public key to the proof, the nonce stops a replay.
 */
import { sign, verify, type KeyLike } from 'node:crypto';
import { renewalMessage } from '@rescard/shared';

export { renewalMessage };

export function signRenewal(privateKey: KeyLike, deviceId: string, nonce: string, csrPem: string): string {
  return sign('sha256', renewalMessage(deviceId, nonce, csrPem), privateKey).toString('base64');
}

export function verifyRenewal(publicKey: KeyLike, deviceId: string, nonce: string, csrPem: string, signatureB64: string): boolean {
  try {
    return verify('sha256', renewalMessage(deviceId, nonce, csrPem), publicKey, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
