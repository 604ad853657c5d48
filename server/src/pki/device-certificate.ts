/**
 * Device certificates from a CSR (ADR 0007). The device id is the caller's (it comes from the
 * enrolment token or the renewed certificate), never the CSR's: a CSR whose CN differs, whose
 * self-signature does not verify, or whose key is not RSA ≥ 2048 bits is refused (CSR_INVALID).
 *
 * The certificate: subject CN = device id (O = rescard), SAN URI urn:rescard:device:<id>,
 * extKeyUsage clientAuth only, keyUsage digitalSignature + keyEncipherment, not a CA, a random
 * 16-byte serial, notBefore one minute back (clock skew), notAfter after `lifetimeDays`.
 */
import { RescardError } from '@rescard/shared';
import forge from 'node-forge';
import type { ProjectCa } from './ca.js';
import { randomSerialHex } from './serial.js';
import { signCertificate } from './sign-certificate.js';

export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly serial: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

export interface DeviceCertificateRequest {
  readonly deviceId: string;
  readonly csrPem: string;
  readonly lifetimeDays: number;
  readonly nowMs: number;
}

const DAY_MS = 86_400_000;
const SKEW_MS = 60_000;
const MIN_RSA_BITS = 2048;

export const deviceUri = (deviceId: string): string => `urn:rescard:device:${deviceId}`;

const csrInvalid = (message: string, deviceId: string, cause?: unknown): RescardError =>
  new RescardError('CSR_INVALID', message, { deviceId }, cause === undefined ? undefined : { cause });

/** Parse and check a CSR for `deviceId`; returns its RSA public key. */
export function checkCsr(csrPem: string, deviceId: string): forge.pki.rsa.PublicKey {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (err) {
    throw csrInvalid(`the CSR is not a PEM PKCS#10 request with an RSA key: ${err instanceof Error ? err.message : String(err)}`, deviceId, err);
  }
  let verified = false;
  try {
    verified = csr.verify();
  } catch (err) {
    throw csrInvalid('the CSR signature cannot be checked', deviceId, err);
  }
  if (!verified) throw csrInvalid('the CSR signature does not verify', deviceId);
  const cn = csr.subject.getField('CN') as { value?: unknown } | null;
  if (cn?.value !== deviceId) throw csrInvalid(`the CSR's CN is not the enrolled device id ${deviceId}`, deviceId);
  const key = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (key === null || typeof key.n?.bitLength !== 'function' || key.n.bitLength() < MIN_RSA_BITS) {
    throw csrInvalid(`the CSR key must be RSA of at least ${MIN_RSA_BITS} bits`, deviceId);
  }
  return key;
}

export function issueDeviceCertificate(ca: ProjectCa, req: DeviceCertificateRequest): IssuedCertificate {
  const publicKey = checkCsr(req.csrPem, req.deviceId);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialHex();
  const notBeforeMs = Math.floor((req.nowMs - SKEW_MS) / 1000) * 1000;
  const notAfterMs = Math.floor((req.nowMs + req.lifetimeDays * DAY_MS) / 1000) * 1000;
  cert.validity.notBefore = new Date(notBeforeMs);
  cert.validity.notAfter = new Date(notAfterMs);
  cert.setSubject([{ name: 'commonName', value: req.deviceId }, { name: 'organizationName', value: 'rescard' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 6, value: deviceUri(req.deviceId) }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signCertificate(cert, ca.key);
  return { certificatePem: forge.pki.certificateToPem(cert), serial: cert.serialNumber, notBeforeMs, notAfterMs };
}
