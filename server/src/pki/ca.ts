/**
 * The project CA (ADR 0007): one RSA 3072 key and a self-signed certificate in `dataDir/ca/`:
 *
 *   ca/ca.key   PKCS#8 PEM, mode 0600, never logged
 *   ca/ca.crt   the certificate devices and the broker trust (caPem in the enrolment answer)
 *
 * Keys come from node:crypto; node-forge only builds and signs the X.509 structures. Both files
 * are written atomically (key first, certificate last: a crash between them leaves no ca.crt,
 * and `createCa` can run again).
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RescardError } from '@rescard/shared';
import forge from 'node-forge';
import { writeFileAtomic } from '../keys/write-atomic.js';
import { randomSerialHex } from './serial.js';
import { forgePublicKey, signCertificate } from './sign-certificate.js';

export interface ProjectCa {
  readonly cert: forge.pki.Certificate;
  /** node:crypto key: signatures are made by node:crypto (sign-certificate.ts). */
  readonly key: KeyObject;
  readonly certPem: string;
  readonly paths: { readonly key: string; readonly cert: string };
}

export interface CreateCaOptions {
  readonly commonName?: string;
  readonly lifetimeDays?: number;
  /** 3072 by default; 2048 where key generation time matters more (tests). */
  readonly keyBits?: 2048 | 3072;
  readonly nowMs?: number;
}

const DAY_MS = 86_400_000;

export function caPaths(dataDir: string): ProjectCa['paths'] {
  const dir = join(dataDir, 'ca');
  return { key: join(dir, 'ca.key'), cert: join(dir, 'ca.crt') };
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

export async function caExists(dataDir: string): Promise<boolean> {
  return exists(caPaths(dataDir).cert);
}

/** Make the CA; refuses to overwrite one that exists (a new CA orphans every device). */
export async function createCa(dataDir: string, options: CreateCaOptions = {}): Promise<ProjectCa> {
  const paths = caPaths(dataDir);
  if (await exists(paths.cert)) throw new RescardError('CONFIG_INVALID', `a project CA already exists in ${paths.cert}`, { path: paths.cert });
  await mkdir(join(dataDir, 'ca'), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? 3072 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const nowMs = options.nowMs ?? Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKey(privateKey);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(nowMs - 60_000);
  cert.validity.notAfter = new Date(nowMs + (options.lifetimeDays ?? 3650) * DAY_MS);
  const name = [{ name: 'commonName', value: options.commonName ?? 'rescard project CA' }, { name: 'organizationName', value: 'rescard' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, privateKey);
  const certPem = forge.pki.certificateToPem(cert);
  await writeFileAtomic(paths.key, keyPem, 0o600);
  await writeFileAtomic(paths.cert, certPem, 0o644);
  return { cert, key: privateKey, certPem, paths };
}

export async function loadCa(dataDir: string): Promise<ProjectCa> {
  const paths = caPaths(dataDir);
  if (!(await exists(paths.cert)) || !(await exists(paths.key))) {
    throw new RescardError('CA_UNAVAILABLE', `no project CA in ${join(dataDir, 'ca')} (run: rescard ca init)`, { dir: join(dataDir, 'ca') });
  }
  try {
    const certPem = await readFile(paths.cert, 'utf8');
    const cert = forge.pki.certificateFromPem(certPem);
    const key = createPrivateKey(await readFile(paths.key, 'utf8'));
    if (!new X509Certificate(certPem).checkPrivateKey(key)) throw new Error('ca.key does not match ca.crt');
    return { cert, key, certPem, paths };
  } catch (err) {
    throw new RescardError('CA_UNAVAILABLE', `the project CA in ${join(dataDir, 'ca')} is unreadable: ${err instanceof Error ? err.message : String(err)}`, { dir: join(dataDir, 'ca') }, { cause: err });
  }
}

/** Load the CA, making it on first use (development and tests; production runs `rescard ca init`). */
export async function loadOrCreateCa(dataDir: string): Promise<{ ca: ProjectCa; created: boolean }> {
  if (await caExists(dataDir)) return { ca: await loadCa(dataDir), created: false };
  return { ca: await createCa(dataDir), created: true };
}
