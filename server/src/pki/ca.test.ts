import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { loadOrIssueBrokerTls } from './broker-certificate.js';
import { createCa, loadCa } from './ca.js';
import { issueDeviceCertificate } from './device-certificate.js';
import { deviceKeys, pkiTempDir } from './pki-fixtures.js';

const dirs: string[] = [];
const temp = (): string => {
  const d = pkiTempDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The real openssl: `openssl verify [-purpose p] -CAfile ca.crt cert.crt`; returns its output (and exit status). */
function opensslVerify(caPath: string, certPem: string, purpose?: string): { ok: boolean; out: string } {
  const dir = temp();
  const certPath = join(dir, 'cert.crt');
  writeFileSync(certPath, certPem);
  try {
    const out = execFileSync('openssl', ['verify', ...(purpose ? ['-purpose', purpose] : []), '-CAfile', caPath, certPath], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, out };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const NOW = Date.parse('2025-09-01T08:00:00Z');

describe('project CA', { timeout: 30_000 }, () => {
  it('is created in dataDir/ca with a 0600 key, reloads the same, and refuses to be overwritten', async () => {
    const dir = temp();
    const ca = await createCa(dir);
    expect(statSync(join(dir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    const again = await loadCa(dir);
    expect(again.certPem).toBe(ca.certPem);
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toContain('CN=rescard project CA');
    await expect(createCa(dir)).rejects.toThrow(/already exists/);
  });

  it('loading from a folder without a CA says CA_UNAVAILABLE', async () => {
    const err = await loadCa(temp()).catch((e: unknown) => e);
    expect(isRescardError(err, 'CA_UNAVAILABLE')).toBe(true);
  });

  it('issues a device certificate openssl verifies as a TLS client: CN and SAN URI = device id, clientAuth, 30 days, random serial', async () => {
    const dir = temp();
    const ca = await createCa(dir);
    const { csrPem } = deviceKeys('bus-0042');
    const a = issueDeviceCertificate(ca, { deviceId: 'bus-0042', csrPem, lifetimeDays: 30, nowMs: Date.now() });
    const b = issueDeviceCertificate(ca, { deviceId: 'bus-0042', csrPem, lifetimeDays: 30, nowMs: Date.now() });
    const verdict = opensslVerify(ca.paths.cert, a.certificatePem, 'sslclient');
    expect(verdict.out).toMatch(/: OK/);
    expect(verdict.ok).toBe(true);
    const x = new X509Certificate(a.certificatePem);
    expect(x.subject).toContain('CN=bus-0042');
    expect(x.subjectAltName).toBe('URI:urn:rescard:device:bus-0042');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // extKeyUsage: clientAuth only
    expect(x.ca).toBe(false);
    expect(a.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(a.serial).not.toBe(b.serial);
    expect(x.serialNumber.toLowerCase()).toBe(a.serial);
    expect(Math.round((a.notAfterMs - a.notBeforeMs) / 86_400_000)).toBe(30);
    // A TLS server certificate purpose is not what a device certificate is for.
    expect(opensslVerify(ca.paths.cert, a.certificatePem, 'sslserver').ok).toBe(false);
  });

  it('a certificate from a foreign CA fails openssl verify against the project CA', async () => {
    const ours = await createCa(temp());
    const foreign = await createCa(temp(), { keyBits: 2048 });
    const { csrPem } = deviceKeys('bus-0042');
    const cert = issueDeviceCertificate(foreign, { deviceId: 'bus-0042', csrPem, lifetimeDays: 30, nowMs: Date.now() });
    const verdict = opensslVerify(ours.paths.cert, cert.certificatePem);
    expect(verdict.ok).toBe(false);
    expect(verdict.out).toMatch(/unable to get local issuer certificate|certificate signature failure/);
  });

  it('refuses a CSR whose CN is another device, a CSR with a broken signature, a 1024-bit key, and garbage', async () => {
    const ca = await createCa(temp());
    const other = deviceKeys('bus-0099');
    const refused = (csrPem: string): string => {
      try {
        issueDeviceCertificate(ca, { deviceId: 'bus-0042', csrPem, lifetimeDays: 30, nowMs: NOW });
        return 'issued';
      } catch (err) {
        return isRescardError(err, 'CSR_INVALID') ? err.message : String(err);
      }
    };
    expect(refused(other.csrPem)).toMatch(/CN is not the enrolled device id/);
    // Signed as bus-0099, then the subject is changed to bus-0042 without signing again.
    const csr = forge.pki.certificationRequestFromPem(other.csrPem);
    csr.setSubject([{ name: 'commonName', value: 'bus-0042' }]);
    (csr as unknown as { certificationRequestInfo: unknown }).certificationRequestInfo = null; // forge re-encodes the parsed bytes otherwise
    expect(refused(forge.pki.certificationRequestToPem(csr))).toMatch(/signature does not verify/);
    expect(refused(deviceKeys('bus-0042', 1024).csrPem)).toMatch(/at least 2048 bits/);
    expect(refused('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n')).toMatch(/not a PEM PKCS#10/);
  });

  it('the broker certificate is a TLS server certificate for localhost, 127.0.0.1 and the configured names, reused while good', async () => {
    const dir = temp();
    const first = await loadOrIssueBrokerTls(dir, { names: ['mqtt.example.ru'] });
    expect(first.caCreated).toBe(true);
    expect(first.issued).toBe(true);
    expect(statSync(join(dir, 'ca', 'broker.key')).mode & 0o777).toBe(0o600);
    const verdict = opensslVerify(join(dir, 'ca', 'ca.crt'), first.certPem, 'sslserver');
    expect(verdict.ok).toBe(true);
    const x = new X509Certificate(first.certPem);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('mqtt.example.ru')).toBe('mqtt.example.ru');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const again = await loadOrIssueBrokerTls(dir, { names: ['mqtt.example.ru'] });
    expect(again.issued).toBe(false);
    expect(again.certPem).toBe(first.certPem);
    const renamed = await loadOrIssueBrokerTls(dir, { names: ['broker.example.ru'] });
    expect(renamed.issued).toBe(true);
    expect(new X509Certificate(renamed.certPem).checkHost('broker.example.ru')).toBe('broker.example.ru');
  });
});
