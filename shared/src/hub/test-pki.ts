/**
 * Test helper: a throwaway CA, a broker certificate for 127.0.0.1 and client certificates, made
 * with node:crypto (keys) and node-forge (certificates), for the TLS listener's tests.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface TestCa {
  readonly caPem: string;
  /** A key and a certificate signed by this CA; `server` adds serverAuth and 127.0.0.1. */
  issue(commonName: string, role: 'server' | 'client'): { keyPem: string; certPem: string };
}

const DAY_MS = 86_400_000;
let serial = 1;

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey } {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem, forgeKey: forge.pki.privateKeyFromPem(pem) };
}

function certificate(subjectKey: forge.pki.rsa.PrivateKey, commonName: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(subjectKey.n, subjectKey.e);
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + DAY_MS);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** A self-signed CA (`name` as its common name). */
export function makeTestCa(name = 'hub test CA'): TestCa {
  const caKey = newKey();
  const ca = certificate(caKey.forgeKey, name);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  ca.sign(caKey.forgeKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    issue(commonName, role) {
      const key = newKey();
      const cert = certificate(key.forgeKey, commonName);
      cert.setIssuer(ca.subject.attributes);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        role === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
        ...(role === 'server' ? [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] : []),
      ]);
      cert.sign(caKey.forgeKey, forge.md.sha256.create());
      return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
    },
  };
}
