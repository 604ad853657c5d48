/**
 * The device registry and enrolment store over pki.db (pki-db.ts). Synchronous (better-sqlite3);
 * every change that spans rows is one transaction, so nothing is half-applied: an enrolment
 * marks its token used, writes the device and its certificate together or not at all.
 * Database failures become PKI_STORE_FAILURE; the domain refusals (a used token, an active
 * device) are thrown from inside the transaction, which rolls it back.
 */
import { isRescardError, RescardError } from '@rescard/shared';
import type Database from 'better-sqlite3';
import { openPkiDb } from './pki-db.js';

export type DeviceKind = 'terminal' | 'gateway';
export type DeviceProfile = 'bus' | 'gate' | 'canteen' | 'gateway';

export interface DeviceSite {
  readonly schoolId?: string;
  readonly routeId?: string;
  readonly carrierId?: string;
  readonly vehicleId?: string;
}

export interface EnrolmentTokenRecord {
  readonly tokenHash: string;
  readonly deviceId: string;
  readonly kind: DeviceKind;
  readonly profile: DeviceProfile;
  readonly site: DeviceSite;
  readonly createdBy: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly usedAtMs: number | null;
}

export interface DeviceRecord {
  readonly deviceId: string;
  readonly kind: DeviceKind;
  readonly profile: DeviceProfile;
  readonly site: DeviceSite;
  readonly enrolledAtMs: number;
  readonly enrolledBy: string;
  readonly certSerial: string;
  readonly notAfterMs: number;
  readonly state: 'active' | 'revoked';
  readonly revokedAtMs: number | null;
  readonly revokedBy: string | null;
  readonly reason: string | null;
}

export interface CertificateRecord {
  readonly serial: string;
  readonly deviceId: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly issuedAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface NewCertificate {
  readonly serial: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function siteOf(r: Row): DeviceSite {
  const site: { schoolId?: string; routeId?: string; carrierId?: string; vehicleId?: string } = {};
  const s = str(r['school_id']);
  const ro = str(r['route_id']);
  const c = str(r['carrier_id']);
  const v = str(r['vehicle_id']);
  if (s !== undefined) site.schoolId = s;
  if (ro !== undefined) site.routeId = ro;
  if (c !== undefined) site.carrierId = c;
  if (v !== undefined) site.vehicleId = v;
  return site;
}

const siteParams = (site: DeviceSite): Row => ({
  school_id: site.schoolId ?? null, route_id: site.routeId ?? null, carrier_id: site.carrierId ?? null, vehicle_id: site.vehicleId ?? null,
});

const toToken = (r: Row): EnrolmentTokenRecord => ({
  tokenHash: r['token_hash'] as string, deviceId: r['device_id'] as string, kind: r['kind'] as DeviceKind, profile: r['profile'] as DeviceProfile,
  site: siteOf(r), createdBy: r['created_by'] as string, createdAtMs: r['created_at_ms'] as number, expiresAtMs: r['expires_at_ms'] as number,
  usedAtMs: (r['used_at_ms'] as number | null) ?? null,
});

const toDevice = (r: Row): DeviceRecord => ({
  deviceId: r['device_id'] as string, kind: r['kind'] as DeviceKind, profile: r['profile'] as DeviceProfile, site: siteOf(r),
  enrolledAtMs: r['enrolled_at_ms'] as number, enrolledBy: r['enrolled_by'] as string, certSerial: r['cert_serial'] as string,
  notAfterMs: r['not_after_ms'] as number, state: r['state'] as DeviceRecord['state'], revokedAtMs: (r['revoked_at_ms'] as number | null) ?? null,
  revokedBy: (r['revoked_by'] as string | null) ?? null, reason: (r['reason'] as string | null) ?? null,
});

const toCert = (r: Row): CertificateRecord => ({
  serial: r['serial'] as string, deviceId: r['device_id'] as string, notBeforeMs: r['not_before_ms'] as number, notAfterMs: r['not_after_ms'] as number,
  issuedAtMs: r['issued_at_ms'] as number, revokedAtMs: (r['revoked_at_ms'] as number | null) ?? null,
});

export class PkiStore {
  private constructor(private readonly db: Database.Database) {}

  static open(path: string): PkiStore {
    return new PkiStore(openPkiDb(path));
  }

  close(): void {
    this.db.close();
  }

  insertToken(t: Omit<EnrolmentTokenRecord, 'usedAtMs'>): void {
    this.guard('insert token', () =>
      this.db
        .prepare(
          `INSERT INTO enrolment_token (token_hash, device_id, kind, profile, school_id, route_id, carrier_id, vehicle_id, created_by, created_at_ms, expires_at_ms)
           VALUES (@token_hash, @device_id, @kind, @profile, @school_id, @route_id, @carrier_id, @vehicle_id, @created_by, @created_at_ms, @expires_at_ms)`,
        )
        .run({ token_hash: t.tokenHash, device_id: t.deviceId, kind: t.kind, profile: t.profile, ...siteParams(t.site), created_by: t.createdBy, created_at_ms: t.createdAtMs, expires_at_ms: t.expiresAtMs }),
    );
  }

  token(tokenHash: string): EnrolmentTokenRecord | null {
    const r = this.guard('read token', () => this.db.prepare('SELECT * FROM enrolment_token WHERE token_hash = ?').get(tokenHash) as Row | undefined);
    return r === undefined ? null : toToken(r);
  }

  device(deviceId: string): DeviceRecord | null {
    const r = this.guard('read device', () => this.db.prepare('SELECT * FROM device WHERE device_id = ?').get(deviceId) as Row | undefined);
    return r === undefined ? null : toDevice(r);
  }

  devices(): DeviceRecord[] {
    return this.guard('read devices', () => (this.db.prepare('SELECT * FROM device ORDER BY device_id').all() as Row[]).map(toDevice));
  }

  certificate(serial: string): CertificateRecord | null {
    const r = this.guard('read certificate', () => this.db.prepare('SELECT * FROM certificate WHERE serial = ?').get(serial) as Row | undefined);
    return r === undefined ? null : toCert(r);
  }

  /**
   * One transaction: the token is marked used (refused when it already was: a replay or a race
   * between two requests), the device is written (refused while another enrolment of the id is
   * active), the certificate recorded.
   */
  completeEnrolment(token: EnrolmentTokenRecord, cert: NewCertificate, nowMs: number): DeviceRecord {
    return this.guard('enrol', () =>
      this.db.transaction(() => {
        const used = this.db.prepare('UPDATE enrolment_token SET used_at_ms = ? WHERE token_hash = ? AND used_at_ms IS NULL').run(nowMs, token.tokenHash);
        if (used.changes !== 1) throw new RescardError('ENROLMENT_TOKEN_USED', 'this enrolment token was already used', { deviceId: token.deviceId });
        const existing = this.device(token.deviceId);
        if (existing?.state === 'active') throw new RescardError('DEVICE_ACTIVE', `device ${token.deviceId} is enrolled and active`, { deviceId: token.deviceId });
        this.db
          .prepare(
            `INSERT INTO device (device_id, kind, profile, school_id, route_id, carrier_id, vehicle_id, enrolled_at_ms, enrolled_by, cert_serial, not_after_ms, state)
             VALUES (@device_id, @kind, @profile, @school_id, @route_id, @carrier_id, @vehicle_id, @now, @by, @serial, @not_after, 'active')
             ON CONFLICT (device_id) DO UPDATE SET kind = excluded.kind, profile = excluded.profile, school_id = excluded.school_id,
               route_id = excluded.route_id, carrier_id = excluded.carrier_id, vehicle_id = excluded.vehicle_id, enrolled_at_ms = excluded.enrolled_at_ms,
               enrolled_by = excluded.enrolled_by, cert_serial = excluded.cert_serial, not_after_ms = excluded.not_after_ms, state = 'active',
               revoked_at_ms = NULL, revoked_by = NULL, reason = NULL`,
          )
          .run({ device_id: token.deviceId, kind: token.kind, profile: token.profile, ...siteParams(token.site), now: nowMs, by: token.createdBy, serial: cert.serial, not_after: cert.notAfterMs });
        this.insertCertificate(token.deviceId, cert, nowMs);
        return this.device(token.deviceId) as DeviceRecord;
      }).immediate(),
    );
  }

  /** A renewal: the new certificate becomes the device's current one (the device must be active). */
  recordRenewal(deviceId: string, cert: NewCertificate, nowMs: number): DeviceRecord {
    return this.guard('renew', () =>
      this.db.transaction(() => {
        const changed = this.db.prepare(`UPDATE device SET cert_serial = ?, not_after_ms = ? WHERE device_id = ? AND state = 'active'`).run(cert.serial, cert.notAfterMs, deviceId);
        if (changed.changes !== 1) throw new RescardError('DEVICE_REVOKED', `device ${deviceId} is not active`, { deviceId });
        this.insertCertificate(deviceId, cert, nowMs);
        return this.device(deviceId) as DeviceRecord;
      }).immediate(),
    );
  }

  /** Revoke the device and every certificate it holds; null when the id is unknown. Idempotent. */
  revoke(deviceId: string, nowMs: number, by: string, reason: string): DeviceRecord | null {
    return this.guard('revoke', () =>
      this.db.transaction(() => {
        const existing = this.device(deviceId);
        if (existing === null) return null;
        if (existing.state === 'revoked') return existing;
        this.db.prepare(`UPDATE device SET state = 'revoked', revoked_at_ms = ?, revoked_by = ?, reason = ? WHERE device_id = ?`).run(nowMs, by, reason, deviceId);
        this.db.prepare('UPDATE certificate SET revoked_at_ms = ? WHERE device_id = ? AND revoked_at_ms IS NULL').run(nowMs, deviceId);
        return this.device(deviceId);
      }).immediate(),
    );
  }

  private insertCertificate(deviceId: string, cert: NewCertificate, nowMs: number): void {
    this.db
      .prepare('INSERT INTO certificate (serial, device_id, not_before_ms, not_after_ms, issued_at_ms) VALUES (?, ?, ?, ?, ?)')
      .run(cert.serial, deviceId, cert.notBeforeMs, cert.notAfterMs, nowMs);
  }

  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (isRescardError(err)) throw err;
      throw new RescardError('PKI_STORE_FAILURE', `device registry: ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { what }, { cause: err });
    }
  }
}
