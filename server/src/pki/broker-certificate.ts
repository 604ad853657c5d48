/**
 * The broker's TLS server certificate, issued by the project CA and kept beside it:
 *
 *   ca/broker.key   PKCS#8 PEM, 0600     ca/broker.crt   serverAuth, SAN DNS localhost + IP 127.0.0.1 + names
 *
 * `loadOrIssueBrokerTls` reuses the pair while it has more than a quarter of its life left,
 * is signed by the current CA and covers every configured name; otherwise it issues a new one
 * (at start, so a long-running server renews at its next restart: 397 days by default).
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from '../keys/write-atomic.js';
import { loadOrCreateCa, type ProjectCa } from './ca.js';
import { randomSerialHex } from './serial.js';
import { forgePublicKey, signCertificate } from './sign-certificate.js';

export interface BrokerTls {
  readonly keyPem: string;
  readonly certPem: string;
  /** The project CA certificate: what client certificates must chain to. */
  readonly caPem: string;
}

export interface BrokerCertificateOptions {
  /** Extra DNS names or IP addresses (the public host devices use). */
  readonly names?: readonly string[];
  readonly lifetimeDays?: number;
  readonly nowMs?: number;
}

const DAY_MS = 86_400_000;

export function brokerNames(extra: readonly string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', ...extra])];
}

export function issueBrokerCertificate(ca: ProjectCa, options: BrokerCertificateOptions = {}): { keyPem: string; certPem: string } {
  const nowMs = options.nowMs ?? Date.now();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const names = brokerNames(options.names);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKey(privateKey);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(nowMs - 60_000);
  cert.validity.notAfter = new Date(nowMs + (options.lifetimeDays ?? 397) * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: names.find((n) => isIP(n) === 0) ?? 'localhost' }, { name: 'organizationName', value: 'rescard' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) === 0 ? { type: 2, value: n } : { type: 7, ip: n })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signCertificate(cert, ca.key);
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

function stillGood(certPem: string, caPem: string, names: readonly string[], nowMs: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (nowMs > to - (to - from) / 4) return false;
    return names.every((n) => (isIP(n) === 0 ? cert.checkHost(n) !== undefined : cert.checkIP(n) !== undefined));
  } catch {
    return false;
  }
}

/** The CA (made on first use) and a broker certificate that covers `names`. */
export async function loadOrIssueBrokerTls(dataDir: string, options: BrokerCertificateOptions = {}): Promise<BrokerTls & { caCreated: boolean; issued: boolean }> {
  const { ca, created } = await loadOrCreateCa(dataDir);
  const paths = { key: join(dataDir, 'ca', 'broker.key'), cert: join(dataDir, 'ca', 'broker.crt') };
  const nowMs = options.nowMs ?? Date.now();
  const have = await stat(paths.cert).then(() => stat(paths.key)).then(() => true, () => false);
  if (have) {
    const certPem = await readFile(paths.cert, 'utf8');
    if (stillGood(certPem, ca.certPem, brokerNames(options.names), nowMs)) {
      return { keyPem: await readFile(paths.key, 'utf8'), certPem, caPem: ca.certPem, caCreated: created, issued: false };
    }
  }
  const pair = issueBrokerCertificate(ca, { ...options, nowMs });
  await writeFileAtomic(paths.key, pair.keyPem, 0o600);
  await writeFileAtomic(paths.cert, pair.certPem, 0o644);
  return { ...pair, caPem: ca.certPem, caCreated: created, issued: true };
}
