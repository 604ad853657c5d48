import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { newDeviceKey } from './device-key.js';
import { isRescardError } from '../errors.js';
import { certificateInfo, completePendingRenewal, readDeviceTls, renewalDueAtMs, renewCertificate, type DeviceTlsFiles } from './renew-client.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A self-signed certificate for `keyPem` (what matters here is which key it belongs to). */
function certFor(keyPem: string, serial: string, days = 30): string {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.UTC(2026, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2026, 0, 1) + days * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'bus-0001' }]);
  cert.setIssuer([{ name: 'commonName', value: 'bus-0001' }]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

// Two key pairs, made once (RSA keygen is the slow part).
const OLD = newDeviceKey();
const NEW = newDeviceKey();
const OLD_CERT = certFor(OLD, '41');
const NEW_CERT = certFor(NEW, '42');

function identity(): DeviceTlsFiles {
  const d = mkdtempSync(join(tmpdir(), 'rescard-renew-'));
  dirs.push(d);
  const files = { caFile: join(d, 'ca.crt'), certFile: join(d, 'device.crt'), keyFile: join(d, 'device.key') };
  writeFileSync(files.keyFile, OLD);
  writeFileSync(files.certFile, OLD_CERT);
  writeFileSync(files.caFile, OLD_CERT);
  return files;
}
const on = (files: DeviceTlsFiles): [string, string] => [readFileSync(files.keyFile, 'utf8'), readFileSync(files.certFile, 'utf8')];

describe('a renewal a power cut interrupted is finished or undone at the next start: key and certificate always belong together', () => {
  it('nothing pending: nothing done', () => {
    const f = identity();
    expect(completePendingRenewal(f)).toBe('none');
    expect(on(f)).toEqual([OLD, OLD_CERT]);
  });

  it('cut after both .next files were written: both swapped', () => {
    const f = identity();
    writeFileSync(`${f.keyFile}.next`, NEW);
    writeFileSync(`${f.certFile}.next`, NEW_CERT);
    expect(completePendingRenewal(f)).toBe('completed');
    expect(on(f)).toEqual([NEW, NEW_CERT]);
    expect(existsSync(`${f.keyFile}.next`) || existsSync(`${f.certFile}.next`)).toBe(false);
  });

  it('cut after the key was renamed, before the certificate: the certificate follows', () => {
    const f = identity();
    writeFileSync(f.keyFile, NEW);
    writeFileSync(`${f.certFile}.next`, NEW_CERT);
    expect(completePendingRenewal(f)).toBe('completed');
    expect(on(f)).toEqual([NEW, NEW_CERT]);
  });

  it('cut before the certificate arrived (only a new key): the old pair stands', () => {
    const f = identity();
    writeFileSync(`${f.keyFile}.next`, NEW);
    expect(completePendingRenewal(f)).toBe('discarded');
    expect(on(f)).toEqual([OLD, OLD_CERT]);
    expect(existsSync(`${f.keyFile}.next`)).toBe(false);
  });

  it('a .next certificate that fits neither key is thrown away', () => {
    const f = identity();
    writeFileSync(`${f.certFile}.next`, NEW_CERT);
    expect(completePendingRenewal(f)).toBe('discarded');
    expect(on(f)).toEqual([OLD, OLD_CERT]);
  });
});

describe('when a certificate is due', () => {
  it('at the given fraction of its lifetime, counted from notBefore', () => {
    const info = certificateInfo(OLD_CERT);
    expect(info.notAfterMs - info.notBeforeMs).toBe(30 * 86_400_000);
    expect(renewalDueAtMs(info, 2 / 3)).toBe(info.notBeforeMs + 20 * 86_400_000);
    expect(renewalDueAtMs(info, 0)).toBe(info.notBeforeMs);
  });
});

describe('what an MQTT connect reads (readDeviceTls)', () => {
  it('finishes an interrupted swap first, so the key and certificate it hands over belong together', () => {
    const f = identity();
    writeFileSync(f.keyFile, NEW); // the cut: key renamed, certificate not
    writeFileSync(`${f.certFile}.next`, NEW_CERT);
    const tls = readDeviceTls(f);
    expect([tls.key.toString(), tls.cert.toString()]).toEqual([NEW, NEW_CERT]);
  });

  it('a key that is not the certificate\'s (nothing pending) throws instead of reaching mqtt.js', () => {
    const f = identity();
    writeFileSync(f.keyFile, NEW);
    expect(() => readDeviceTls(f)).toThrow(/is not the key of/);
  });
});

describe('one renewal at a time', () => {
  it('a lock of a live process refuses a second renewal; one of a dead process, or a stale one, is taken over and released', async () => {
    const f = identity();
    const lock = `${f.certFile}.renew-lock`;
    writeFileSync(lock, String(process.pid));
    const busy = await renewCertificate({ server: 'http://127.0.0.1:9', deviceId: 'bus-0001', files: f }).catch((e: unknown) => e);
    expect(isRescardError(busy, 'ENROLMENT_FAILED') && /another renewal/.test(busy.message)).toBe(true);
    const old = (Date.now() - 11 * 60_000) / 1000;
    utimesSync(lock, old, old);
    const down = await renewCertificate({ server: 'http://127.0.0.1:9', deviceId: 'bus-0001', files: f }).catch((e: unknown) => e);
    expect(isRescardError(down, 'ENROLMENT_FAILED') && /cannot reach/.test(down.message)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    expect(on(f)).toEqual([OLD, OLD_CERT]);
    // A fresh lock whose process is gone (the renewal died with the power): the pending swap is
    // finished at the next connect, not 10 minutes later.
    writeFileSync(lock, '2147483646');
    writeFileSync(f.keyFile, NEW);
    writeFileSync(`${f.certFile}.next`, NEW_CERT);
    expect(readDeviceTls(f).cert.toString()).toBe(NEW_CERT);
    const gone = await renewCertificate({ server: 'http://127.0.0.1:9', deviceId: 'bus-0001', files: f }).catch((e: unknown) => e);
    expect(isRescardError(gone, 'ENROLMENT_FAILED') && /cannot reach/.test(gone.message)).toBe(true);
  });
});
