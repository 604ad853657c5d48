/**
 * Test helpers for the PKI: a device key pair and its CSR (what `rescard-terminal enroll`
 * makes), temp data folders. Not used by production code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface DeviceKeys {
  readonly keyPem: string;
  readonly csrPem: string;
}

export function makeCsr(commonName: string, keyPem: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

export function deviceKeys(commonName: string, bits = 2048): DeviceKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyPem, csrPem: makeCsr(commonName, keyPem) };
}

export const pkiTempDir = (): string => mkdtempSync(join(tmpdir(), 'rescard-pki-'));
