/**
 * Sign a node-forge certificate with a node:crypto key: forge builds the X.509 structure (and its
 * TBSCertificate), node:crypto makes the RSA-SHA256 signature (forge's pure-JS RSA would take
 * ~200 ms per signature with the CA's 3072-bit key, blocking the event loop the broker runs on).
 *
 * forge's `cert.sign(key, md)` sets the signature algorithm, builds `cert.tbsCertificate`, then
 * calls `key.sign(md)`: the stand-in key signs the DER of that TBSCertificate itself.
 */
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export function signCertificate(cert: forge.pki.Certificate, key: KeyObject): void {
  const signer = {
    sign: (): string => {
      const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
      return sign('sha256', tbs, key).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

/** A forge public key for a node:crypto key, private or public (to place in a certificate). */
export function forgePublicKey(key: KeyObject): forge.pki.PublicKey {
  return forge.pki.publicKeyFromPem(createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
}
