/**
 * Whether a TLS client certificate still admits its device, as a pure decision over the
 * registry's rows (the broker asks at every connect, ADR 0007). The TLS layer has already
 * checked the chain to the project CA and the validity dates; this adds what only the registry
 * knows: the device exists and is active, the serial is one issued to it and not revoked, and
 * (again, with the server's clock) the certificate is within its validity.
 */
import type { CertificateRecord, DeviceRecord } from './pki-store.js';

export interface PeerCertificate {
  /** The subject CN: the device id. */
  readonly deviceId: string;
  /** Lowercase hex without leading zero bytes. */
  readonly serial: string;
  readonly validFromMs: number;
  readonly validToMs: number;
}

export type GateRefusal = 'unknown-device' | 'device-revoked' | 'unknown-certificate' | 'certificate-revoked' | 'certificate-expired' | 'certificate-not-yet-valid';
export type GateVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: GateRefusal };

const refuse = (reason: GateRefusal): GateVerdict => ({ ok: false, reason });

export function gateVerdict(device: DeviceRecord | null, cert: CertificateRecord | null, peer: PeerCertificate, nowMs: number): GateVerdict {
  if (device === null) return refuse('unknown-device');
  if (device.state !== 'active') return refuse('device-revoked');
  if (cert === null || cert.deviceId !== peer.deviceId) return refuse('unknown-certificate');
  if (cert.revokedAtMs !== null) return refuse('certificate-revoked');
  if (nowMs >= Math.min(peer.validToMs, cert.notAfterMs)) return refuse('certificate-expired');
  if (nowMs < peer.validFromMs) return refuse('certificate-not-yet-valid');
  return { ok: true };
}
