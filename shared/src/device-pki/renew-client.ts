/**
 * Certificate renewal on the device (ADR 0007): device certificates are short-lived (30 days by
 * default) and renewed well before they expire, by proof of possession of the current key:
 *
 *   POST /renew/challenge { deviceId } → { nonce }
 *   a new key pair and CSR; the current key signs
 *     "rescard-renew-v1\n<deviceId>\n<nonce>\n<sha256 hex of the CSR PEM>"  (RSA PKCS#1 v1.5, SHA-256)
 *   POST /renew { deviceId, certificatePem, csrPem, nonce, signature } → { certificatePem, caPem }
 *
 * The answer is checked (this id, the new key, the pinned CA) before anything is written. The
 * swap is crash-safe: the new key and certificate are written beside the old ones
 * (`<file>.next`, fsynced), then renamed key first, certificate second (the folder fsynced after
 * each); `completePendingRenewal` finishes a swap a power cut interrupted, and runs before every
 * renewal and before every MQTT connect (readDeviceTls), so what a connect reads is a pair that
 * belongs together. One renewal at a time per identity (a lock file naming its process; ignored
 * once that process is gone or after 10 minutes). MQTT clients read the files at each connect:
 * the new certificate is used from the next connection on; a live session goes on.
 */
import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RescardError } from '../errors.js';
import { fsyncDir, makeCsr, newDeviceKey, writeFileAtomic } from './device-key.js';
import { checkIssued, enrolmentFailed, postToServer } from './enrol-client.js';

/** The files of a device's TLS identity (enrol writes them: ca.crt, device.crt, device.key). */
export interface DeviceTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface CertificateInfo {
  readonly serial: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

/**
 * The TLS client options for a device's identity, read now (the files may have been renewed),
 * after finishing a renewal a power cut interrupted. Throws when a file is unreadable or the key
 * is not the certificate's (the caller retries later, like any failed connect).
 */
export function readDeviceTls(files: DeviceTlsFiles): { ca: Buffer; cert: Buffer; key: Buffer; rejectUnauthorized: true } {
  if (!renewalRunning(files)) completePendingRenewal(files); // a running renewal finishes its own swap
  const tls = { ca: readFileSync(files.caFile), cert: readFileSync(files.certFile), key: readFileSync(files.keyFile), rejectUnauthorized: true as const };
  if (!keyMatches(tls.cert.toString('utf8'), tls.key.toString('utf8'))) throw new Error(`${files.keyFile} is not the key of ${files.certFile}`);
  return tls;
}

export function renewalMessage(deviceId: string, nonce: string, csrPem: string): Buffer {
  const csrHash = createHash('sha256').update(csrPem, 'utf8').digest('hex');
  return Buffer.from(`rescard-renew-v1\n${deviceId}\n${nonce}\n${csrHash}`, 'utf8');
}

export function certificateInfo(certificatePem: string): CertificateInfo {
  const cert = new X509Certificate(certificatePem);
  return { serial: cert.serialNumber, notBeforeMs: Date.parse(cert.validFrom), notAfterMs: Date.parse(cert.validTo) };
}

/** When a certificate is due for renewal: once `atFraction` of its lifetime has passed. */
export function renewalDueAtMs(cert: CertificateInfo, atFraction: number): number {
  return cert.notBeforeMs + Math.floor((cert.notAfterMs - cert.notBeforeMs) * atFraction);
}

const next = (path: string): string => `${path}.next`;

function keyMatches(certificatePem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/**
 * Finish a renewal a crash interrupted. States after the two fsynced `.next` files exist:
 * both renames pending, or the key renamed and the certificate not. Anything else left over
 * (a `.next` that does not fit) is removed. Returns what it did, for the log.
 */
export function completePendingRenewal(files: DeviceTlsFiles): 'none' | 'completed' | 'discarded' {
  const nextKey = next(files.keyFile);
  const nextCert = next(files.certFile);
  if (!existsSync(nextCert)) {
    if (!existsSync(nextKey)) return 'none';
    rmSync(nextKey); // the certificate never arrived: the old pair stands
    return 'discarded';
  }
  const certPem = readFileSync(nextCert, 'utf8');
  if (existsSync(nextKey) && keyMatches(certPem, readFileSync(nextKey, 'utf8'))) {
    renameSync(nextKey, files.keyFile);
    fsyncDir(dirname(files.keyFile));
    renameSync(nextCert, files.certFile);
    fsyncDir(dirname(files.certFile));
    return 'completed';
  }
  if (keyMatches(certPem, readFileSync(files.keyFile, 'utf8'))) {
    renameSync(nextCert, files.certFile);
    fsyncDir(dirname(files.certFile));
    return 'completed';
  }
  rmSync(nextCert);
  if (existsSync(nextKey)) rmSync(nextKey);
  return 'discarded';
}

const LOCK_STALE_MS = 10 * 60_000;
const lockPath = (files: DeviceTlsFiles): string => `${files.certFile}.renew-lock`;

/** A live renewal holds the lock: the file is fresh and names a process that is alive (not one a power cut ended). */
function renewalRunning(files: DeviceTlsFiles): boolean {
  try {
    const path = lockPath(files);
    if (Date.now() - statSync(path).mtimeMs >= LOCK_STALE_MS) return false;
    const pid = Number(readFileSync(path, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return true; // being written: take it as running
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** One renewal at a time per identity (`start`'s timer and `renew` may meet): a lock file beside the certificate. */
function takeRenewalLock(files: DeviceTlsFiles, deviceId: string): () => void {
  const path = lockPath(files);
  const take = (): number => openSync(path, 'wx', 0o600);
  let fd: number;
  try {
    fd = take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (renewalRunning(files)) throw enrolmentFailed('another renewal of this device\'s certificate is running', { deviceId, lock: path });
    rmSync(path, { force: true }); // left by a renewal that died (a power cut, a kill)
    fd = take();
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return () => rmSync(path, { force: true });
}

/** Renew the device's certificate now; returns the new certificate's serial and dates. */
export async function renewCertificate(opts: {
  readonly server: string;
  readonly deviceId: string;
  readonly files: DeviceTlsFiles;
  readonly fetch?: typeof fetch;
}): Promise<CertificateInfo> {
  const release = takeRenewalLock(opts.files, opts.deviceId);
  try {
    return await renewLocked(opts);
  } finally {
    release();
  }
}

async function renewLocked(opts: { readonly server: string; readonly deviceId: string; readonly files: DeviceTlsFiles; readonly fetch?: typeof fetch }): Promise<CertificateInfo> {
  const { files, deviceId } = opts;
  completePendingRenewal(files);
  let currentCert: string;
  let currentKey: string;
  let caPem: string;
  try {
    [currentCert, currentKey, caPem] = [readFileSync(files.certFile, 'utf8'), readFileSync(files.keyFile, 'utf8'), readFileSync(files.caFile, 'utf8')];
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read the device's TLS files: ${(err as Error).message}`, { certFile: files.certFile });
  }
  const { nonce } = await postToServer<{ nonce: string }>(opts.server, '/renew/challenge', { deviceId }, opts.fetch);
  if (typeof nonce !== 'string') throw enrolmentFailed('the renewal challenge has no nonce', { deviceId });
  const keyPem = newDeviceKey();
  const csrPem = makeCsr(deviceId, keyPem);
  const signature = sign('sha256', renewalMessage(deviceId, nonce, csrPem), createPrivateKey(currentKey)).toString('base64');
  const answer = await postToServer<{ certificatePem: string }>(opts.server, '/renew', { deviceId, certificatePem: currentCert, csrPem, nonce, signature }, opts.fetch);
  // Checked against the CA pinned at enrolment, not one the answer brings.
  checkIssued(answer.certificatePem, caPem, deviceId, keyPem);
  writeFileAtomic(next(files.keyFile), keyPem, 0o600);
  writeFileAtomic(next(files.certFile), answer.certificatePem, 0o644);
  const swapped = completePendingRenewal(files);
  if (swapped !== 'completed') throw enrolmentFailed(`the renewed certificate could not be put in place (${swapped}); the current one stays`, { deviceId });
  return certificateInfo(answer.certificatePem);
}
