/**
 * Enrolment, renewal and revocation (ADR 0007) over the CA and the registry. HTTP-free: the
 * plugin (app/pki-plugin.ts) maps requests here, the broker asks `checkPeer` at each TLS connect.
 *
 * - createToken: a one-time token for (device id, kind, profile, site); only its hash is kept.
 * - enroll: token → checks (known, unused, unexpired) → CSR checked against the token's device
 *   id → certificate → one transaction marks the token used and records device + certificate.
 * - renew: the current certificate (from the CA, unexpired, not revoked, the device's) plus a
 *   signature over a fresh nonce and the new CSR by its key → a new certificate.
 * - revoke: the device and its certificates; `onRevoked` drops a live session.
 */
import { X509Certificate } from 'node:crypto';
import { RescardError } from '@rescard/shared';
import type { Logger } from 'pino';
import type { ProjectCa } from './ca.js';
import { issueDeviceCertificate } from './device-certificate.js';
import { gateVerdict, type GateVerdict, type PeerCertificate } from './device-gate.js';
import { hashEnrolmentToken, newEnrolmentToken } from './enrolment-token.js';
import type { DeviceKind, DeviceProfile, DeviceRecord, DeviceSite, PkiStore } from './pki-store.js';
import { RenewalNonces } from './renewal-nonces.js';
import { verifyRenewal } from './renewal-proof.js';
import { normalizeSerial } from './serial.js';

export interface PkiServiceDeps {
  readonly store: PkiStore;
  readonly ca: ProjectCa;
  readonly certLifetimeDays: number;
  readonly tokenTtlMs: number;
  readonly now: () => number;
  readonly log: Logger;
  readonly onRevoked?: (deviceId: string) => void;
}

export interface TokenRequest {
  readonly deviceId: string;
  readonly kind: DeviceKind;
  readonly profile: DeviceProfile;
  readonly site: DeviceSite;
  readonly createdBy: string;
  /** Overrides the default time to live. */
  readonly ttlMs?: number;
}

export interface Enrolled {
  readonly device: DeviceRecord;
  readonly certificatePem: string;
  readonly caPem: string;
  readonly notAfterMs: number;
}

export interface RenewRequest {
  readonly deviceId: string;
  readonly certificatePem: string;
  readonly csrPem: string;
  readonly nonce: string;
  readonly signature: string;
}

/** What each profile needs to know where it stands. */
function checkSite(kind: DeviceKind, profile: DeviceProfile, site: DeviceSite, deviceId: string): void {
  const bad = (message: string): never => {
    throw new RescardError('REQUEST_INVALID', message, { deviceId, profile });
  };
  if ((kind === 'gateway') !== (profile === 'gateway')) bad(`kind ${kind} does not go with profile ${profile}`);
  if ((profile === 'gate' || profile === 'canteen') && site.schoolId === undefined) bad(`a ${profile} device needs a schoolId`);
  if (profile === 'bus' && site.routeId === undefined && site.vehicleId === undefined) bad('a bus device needs a routeId or a vehicleId');
}

export class PkiService {
  private readonly nonces = new RenewalNonces();
  private readonly log: Logger;

  constructor(private readonly deps: PkiServiceDeps) {
    this.log = deps.log.child({ module: 'pki' });
  }

  get caPem(): string {
    return this.deps.ca.certPem;
  }

  createToken(req: TokenRequest): { token: string; expiresAtMs: number } {
    checkSite(req.kind, req.profile, req.site, req.deviceId);
    if (this.deps.store.device(req.deviceId)?.state === 'active') {
      throw new RescardError('DEVICE_ACTIVE', `device ${req.deviceId} is enrolled and active: revoke it first`, { deviceId: req.deviceId });
    }
    const token = newEnrolmentToken(req.deviceId);
    const nowMs = this.deps.now();
    const expiresAtMs = nowMs + (req.ttlMs ?? this.deps.tokenTtlMs);
    this.deps.store.insertToken({ tokenHash: hashEnrolmentToken(token), deviceId: req.deviceId, kind: req.kind, profile: req.profile, site: req.site, createdBy: req.createdBy, createdAtMs: nowMs, expiresAtMs });
    this.log.info({ deviceId: req.deviceId, profile: req.profile, createdBy: req.createdBy, expiresAtMs }, 'enrolment token created');
    return { token, expiresAtMs };
  }

  /** `kind`, when the device says what it is: a token for the other kind is refused before it is used. */
  enroll(token: string, csrPem: string, kind?: DeviceKind): Enrolled {
    const record = this.deps.store.token(hashEnrolmentToken(token));
    const nowMs = this.deps.now();
    if (record === null) throw new RescardError('ENROLMENT_TOKEN_UNKNOWN', 'this enrolment token is not one the server issued');
    const fields = { deviceId: record.deviceId };
    if (kind !== undefined && kind !== record.kind) {
      throw new RescardError('REQUEST_INVALID', `this token is for a ${record.kind}: enrol with rescard-${record.kind} enroll (the token is still unused)`, { ...fields, kind: record.kind });
    }
    if (record.usedAtMs !== null) {
      this.log.warn({ ...fields, usedAtMs: record.usedAtMs }, 'enrolment token replayed');
      throw new RescardError('ENROLMENT_TOKEN_USED', 'this enrolment token was already used', fields);
    }
    if (nowMs >= record.expiresAtMs) throw new RescardError('ENROLMENT_TOKEN_EXPIRED', 'this enrolment token has expired', { ...fields, expiresAtMs: record.expiresAtMs });
    const issued = issueDeviceCertificate(this.deps.ca, { deviceId: record.deviceId, csrPem, lifetimeDays: this.deps.certLifetimeDays, nowMs });
    const device = this.deps.store.completeEnrolment(record, issued, nowMs);
    this.log.info({ ...fields, profile: device.profile, serial: issued.serial, notAfterMs: issued.notAfterMs }, 'device enrolled');
    return { device, certificatePem: issued.certificatePem, caPem: this.deps.ca.certPem, notAfterMs: issued.notAfterMs };
  }

  renewChallenge(deviceId: string): { nonce: string; expiresAtMs: number } {
    return this.nonces.issue(deviceId, this.deps.now());
  }

  renew(req: RenewRequest): Omit<Enrolled, 'device'> & { device: DeviceRecord } {
    const nowMs = this.deps.now();
    const refused = (why: string): never => {
      this.log.warn({ deviceId: req.deviceId, why }, 'renewal refused');
      throw new RescardError('CERTIFICATE_REFUSED', `renewal refused: ${why}`, { deviceId: req.deviceId });
    };
    // The nonce goes first, and is spent whatever follows: a failed attempt cannot be retried with it.
    if (!this.nonces.take(req.nonce, req.deviceId, nowMs)) refused('unknown, expired or foreign nonce');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(req.certificatePem);
    } catch {
      return refused('the certificate is not a PEM X.509 certificate');
    }
    const ca = new X509Certificate(this.deps.ca.certPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) refused('the certificate is not from the project CA');
    const verdict = this.checkPeer(peerOf(cert), nowMs);
    if (!verdict.ok) {
      if (verdict.reason === 'device-revoked') throw new RescardError('DEVICE_REVOKED', `device ${req.deviceId} is revoked`, { deviceId: req.deviceId });
      refused(verdict.reason);
    }
    if (peerOf(cert).deviceId !== req.deviceId) refused('the certificate is another device\'s');
    if (!verifyRenewal(cert.publicKey, req.deviceId, req.nonce, req.csrPem, req.signature)) refused('the proof of possession does not verify');
    const issued = issueDeviceCertificate(this.deps.ca, { deviceId: req.deviceId, csrPem: req.csrPem, lifetimeDays: this.deps.certLifetimeDays, nowMs });
    const device = this.deps.store.recordRenewal(req.deviceId, issued, nowMs);
    this.log.info({ deviceId: req.deviceId, serial: issued.serial, notAfterMs: issued.notAfterMs }, 'certificate renewed');
    return { device, certificatePem: issued.certificatePem, caPem: this.deps.ca.certPem, notAfterMs: issued.notAfterMs };
  }

  revoke(deviceId: string, by: string, reason: string): DeviceRecord {
    const device = this.deps.store.revoke(deviceId, this.deps.now(), by, reason);
    if (device === null) throw new RescardError('REQUEST_INVALID', `unknown device ${deviceId}`, { status: 404, deviceId });
    this.log.warn({ deviceId, by, reason }, 'device revoked');
    this.deps.onRevoked?.(deviceId);
    return device;
  }

  /** The broker's question at each TLS connect. */
  checkPeer(peer: PeerCertificate, nowMs = this.deps.now()): GateVerdict {
    const device = this.deps.store.device(peer.deviceId);
    const cert = this.deps.store.certificate(peer.serial);
    return gateVerdict(device, cert, peer, nowMs);
  }

  isRevoked(deviceId: string): boolean {
    return this.deps.store.device(deviceId)?.state === 'revoked';
  }

  devices(): DeviceRecord[] {
    return this.deps.store.devices();
  }
}

export function peerOf(cert: X509Certificate): PeerCertificate {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '';
  return { deviceId: cn, serial: normalizeSerial(cert.serialNumber), validFromMs: Date.parse(cert.validFrom), validToMs: Date.parse(cert.validTo) };
}
