/**
 * Test helpers for the PKI: a device key pair and its CSR (what `rescard-terminal enroll`
 * makes), temp data folders. Not used by production code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCsr } from '@rescard/shared';

export interface DeviceKeys {
  readonly keyPem: string;
  readonly csrPem: string;
}

export { makeCsr };

export function deviceKeys(commonName: string, bits = 2048): DeviceKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyPem, csrPem: makeCsr(commonName, keyPem) };
}

export const pkiTempDir = (): string => mkdtempSync(join(tmpdir(), 'rescard-pki-'));
