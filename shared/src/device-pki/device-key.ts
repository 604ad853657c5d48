/**
 * A device's own TLS identity (ADR 0007): an RSA key pair made on the device (node:crypto) and a
 * CSR for its device id (node-forge: node:crypto makes no CSRs). The private key never leaves
 * the device. Files are written atomically (temp file, fsync, rename) with their mode.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** A new 2048-bit RSA private key, PKCS#8 PEM. */
export function newDeviceKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A PKCS#10 request, CN = the device id, signed by `keyPem` (SHA-256). */
export function makeCsr(deviceId: string, keyPem: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([{ name: 'commonName', value: deviceId }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** Write `text` to `path` so that a reader (or a power cut) sees the old file or the new one. */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** Make the renames in a folder durable (the folder's entries reach the disk). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
