import { X509Certificate } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isRescardError } from '@rescard/shared';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCa, type ProjectCa } from './ca.js';
import { deviceIdOfToken, hashEnrolmentToken } from './enrolment-token.js';
import { deviceKeys, pkiTempDir } from './pki-fixtures.js';
import { PkiService, peerOf } from './pki-service.js';
import { PkiStore } from './pki-store.js';
import { signRenewal } from './renewal-proof.js';

const DAY = 86_400_000;
let caDir: string;
let ca: ProjectCa;
const dirs: string[] = [];
beforeAll(async () => {
  caDir = pkiTempDir();
  ca = await createCa(caDir, { keyBits: 2048 });
}, 30_000);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { service: PkiService; store: PkiStore; clock: { ms: number }; dbPath: string; revoked: string[] } {
  const dir = pkiTempDir();
  dirs.push(dir);
  const dbPath = join(dir, 'pki', 'pki.db');
  const store = PkiStore.open(dbPath);
  const clock = { ms: Date.now() };
  const revoked: string[] = [];
  const service = new PkiService({ store, ca, certLifetimeDays: 30, tokenTtlMs: DAY, now: () => clock.ms, log: pino({ level: 'silent' }), onRevoked: (id) => revoked.push(id) });
  return { service, store, clock, dbPath, revoked };
}

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return isRescardError(err) ? err.code : String(err);
  }
};

const busToken = { deviceId: 'bus-0042', kind: 'terminal', profile: 'bus', site: { routeId: 'r42', carrierId: 'c1' }, createdBy: 'tech-anna' } as const;

describe('enrolment', { timeout: 30_000 }, () => {
  it('a token enrols its device once: the certificate is the token\'s device, the store keeps only the token hash', () => {
    const { service, store, dbPath } = setup();
    const { token, expiresAtMs } = service.createToken(busToken);
    expect(token).toMatch(/^rset1_bus-0042_[A-Za-z0-9_-]{43}$/);
    expect(deviceIdOfToken(token)).toBe('bus-0042');
    const keys = deviceKeys('bus-0042');
    const enrolled = service.enroll(token, keys.csrPem);
    expect(new X509Certificate(enrolled.certificatePem).subject).toContain('CN=bus-0042');
    expect(enrolled.device).toMatchObject({ deviceId: 'bus-0042', profile: 'bus', site: { routeId: 'r42', carrierId: 'c1' }, state: 'active', enrolledBy: 'tech-anna' });
    expect(store.token(hashEnrolmentToken(token))?.usedAtMs).not.toBeNull();
    expect(store.token(hashEnrolmentToken(token))?.expiresAtMs).toBe(expiresAtMs);
    // The replay is refused with its own code, and changes nothing.
    const before = store.device('bus-0042');
    expect(code(() => service.enroll(token, deviceKeys('bus-0042').csrPem))).toBe('ENROLMENT_TOKEN_USED');
    expect(store.device('bus-0042')).toEqual(before);
    // The database holds the hash, never the token.
    store.close();
    const raw = new Database(dbPath, { readonly: true });
    const dump = JSON.stringify(raw.prepare('SELECT * FROM enrolment_token').all());
    raw.close();
    expect(dump).toContain(hashEnrolmentToken(token));
    expect(dump).not.toContain(token.slice(-43));
    expect(statSync(dbPath).size).toBeGreaterThan(0);
  });

  it('an expired token, an unknown token and a CSR for another device are refused and leave the token usable or untouched', () => {
    const { service, store, clock } = setup();
    const { token } = service.createToken(busToken);
    expect(code(() => service.enroll('rset1_bus-0042_' + 'A'.repeat(43), deviceKeys('bus-0042').csrPem))).toBe('ENROLMENT_TOKEN_UNKNOWN');
    expect(code(() => service.enroll(token, deviceKeys('bus-0099').csrPem))).toBe('CSR_INVALID');
    expect(store.token(hashEnrolmentToken(token))?.usedAtMs).toBeNull();
    expect(store.device('bus-0042')).toBeNull();
    clock.ms += DAY;
    expect(code(() => service.enroll(token, deviceKeys('bus-0042').csrPem))).toBe('ENROLMENT_TOKEN_EXPIRED');
    expect(store.device('bus-0042')).toBeNull();
  });

  it('profiles need their site, kinds and profiles go together, and an active device cannot get a second token', () => {
    const { service } = setup();
    expect(code(() => service.createToken({ ...busToken, deviceId: 'gate-1', profile: 'gate', site: {} }))).toBe('REQUEST_INVALID');
    expect(code(() => service.createToken({ ...busToken, deviceId: 'gw-1', kind: 'gateway', profile: 'bus' }))).toBe('REQUEST_INVALID');
    expect(code(() => service.createToken({ ...busToken, deviceId: 'gw-1', kind: 'gateway', profile: 'gateway', site: { vehicleId: 'v7' } }))).toBe('ok');
    service.enroll(service.createToken(busToken).token, deviceKeys('bus-0042').csrPem);
    expect(code(() => service.createToken(busToken))).toBe('DEVICE_ACTIVE');
  });

  it('revoking marks the device and its certificates, tells the broker, and a new token can bring the id back with a new certificate', () => {
    const { service, revoked } = setup();
    const first = service.enroll(service.createToken(busToken).token, deviceKeys('bus-0042').csrPem);
    const peer = peerOf(new X509Certificate(first.certificatePem));
    expect(service.checkPeer(peer)).toEqual({ ok: true });
    const r = service.revoke('bus-0042', 'admin-oleg', 'stolen');
    expect(r).toMatchObject({ state: 'revoked', revokedBy: 'admin-oleg', reason: 'stolen' });
    expect(revoked).toEqual(['bus-0042']);
    expect(service.checkPeer(peer)).toEqual({ ok: false, reason: 'device-revoked' });
    expect(code(() => service.revoke('bus-9999', 'x', 'y'))).toBe('REQUEST_INVALID');
    const second = service.enroll(service.createToken(busToken).token, deviceKeys('bus-0042').csrPem);
    expect(service.checkPeer(peerOf(new X509Certificate(second.certificatePem)))).toEqual({ ok: true });
    // The certificate revoked with the device stays refused after the id came back.
    expect(service.checkPeer(peer)).toEqual({ ok: false, reason: 'certificate-revoked' });
  });

  it('the gate refuses an unknown device, a serial the registry never issued, and an expired certificate', () => {
    const { service, clock } = setup();
    const enrolled = service.enroll(service.createToken(busToken).token, deviceKeys('bus-0042').csrPem);
    const peer = peerOf(new X509Certificate(enrolled.certificatePem));
    expect(service.checkPeer({ ...peer, deviceId: 'bus-0043' })).toEqual({ ok: false, reason: 'unknown-device' });
    expect(service.checkPeer({ ...peer, serial: '7'.repeat(32) })).toEqual({ ok: false, reason: 'unknown-certificate' });
    clock.ms += 31 * DAY;
    expect(service.checkPeer(peer)).toEqual({ ok: false, reason: 'certificate-expired' });
  });
});

describe('renewal', { timeout: 30_000 }, () => {
  it('a device proves its current key over a fresh nonce and gets a new certificate; the nonce is one-time', () => {
    const { service, store } = setup();
    const keys = deviceKeys('bus-0042');
    const enrolled = service.enroll(service.createToken(busToken).token, keys.csrPem);
    const next = deviceKeys('bus-0042');
    const { nonce } = service.renewChallenge('bus-0042');
    const request = { deviceId: 'bus-0042', certificatePem: enrolled.certificatePem, csrPem: next.csrPem, nonce, signature: signRenewal(keys.keyPem, 'bus-0042', nonce, next.csrPem) };
    const renewed = service.renew(request);
    const x = new X509Certificate(renewed.certificatePem);
    expect(x.subject).toContain('CN=bus-0042');
    expect(store.device('bus-0042')?.certSerial).toBe(peerOf(x).serial);
    expect(code(() => service.renew(request))).toBe('CERTIFICATE_REFUSED');
  });

  it('refuses a proof made with another key, a nonce issued to another device, and a revoked device', () => {
    const { service } = setup();
    const keys = deviceKeys('bus-0042');
    const enrolled = service.enroll(service.createToken(busToken).token, keys.csrPem);
    const next = deviceKeys('bus-0042');
    const thief = deviceKeys('bus-0042');
    let n = service.renewChallenge('bus-0042').nonce;
    expect(code(() => service.renew({ deviceId: 'bus-0042', certificatePem: enrolled.certificatePem, csrPem: next.csrPem, nonce: n, signature: signRenewal(thief.keyPem, 'bus-0042', n, next.csrPem) }))).toBe('CERTIFICATE_REFUSED');
    n = service.renewChallenge('gate-7').nonce;
    expect(code(() => service.renew({ deviceId: 'bus-0042', certificatePem: enrolled.certificatePem, csrPem: next.csrPem, nonce: n, signature: signRenewal(keys.keyPem, 'bus-0042', n, next.csrPem) }))).toBe('CERTIFICATE_REFUSED');
    service.revoke('bus-0042', 'admin', 'lost');
    n = service.renewChallenge('bus-0042').nonce;
    expect(code(() => service.renew({ deviceId: 'bus-0042', certificatePem: enrolled.certificatePem, csrPem: next.csrPem, nonce: n, signature: signRenewal(keys.keyPem, 'bus-0042', n, next.csrPem) }))).toBe('DEVICE_REVOKED');
  });
});
