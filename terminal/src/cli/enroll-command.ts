/**
 * `rescard-terminal enroll --server URL --token T --out DIR [--template FILE]` (ADR 0007): the
 * device makes its own RSA key pair (node:crypto) and a CSR (node-forge) for the device id the
 * token names, POSTs them to the server's /enroll, checks the answer (the certificate is for
 * this id and this key, issued by the CA that came with it) and writes, in DIR:
 *
 *   device.key     the private key, 0600 (it never leaves the device)
 *   device.crt     the client certificate for MQTT over TLS
 *   ca.crt         the project CA (the broker is verified against it alone)
 *   terminal.json  a config for `rescard-terminal start --config`, 0600 (it holds the card-token
 *                  keys): the template's (or the profile's default) rules and readers, with the
 *                  server's device id, profile, site, uplink (mqtts + lists URL), pinned list key
 *
 * The config is validated before anything is written; files are written atomically. Nothing
 * secret is logged.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, openSync, closeSync, fsyncSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RescardError, type ErrorCode, ERROR_CODES } from '@rescard/shared';
import forge from 'node-forge';
import type { Logger } from 'pino';
import { parseTerminalConfig } from '../config/terminal-config.js';

export interface EnrollOptions {
  readonly server: string;
  readonly token: string;
  readonly out: string;
  /** A terminal config to take rules, readers and the rest from. */
  readonly template?: string;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export interface EnrollResult {
  readonly deviceId: string;
  readonly profile: string;
  readonly configPath: string;
  readonly certificateNotAfter: string;
  readonly mqttUrl: string;
}

interface EnrolAnswer {
  deviceId: string;
  certificatePem: string;
  caPem: string;
  notAfter: string;
  mqttUrl: string;
  config: { profile: string; kind: string; context: Record<string, string> };
  listSigningKey: { kid: string; publicKeyPem: string };
  tokenKeys: unknown;
}

const TOKEN = /^rset1_([A-Za-z0-9._-]{1,64})_[A-Za-z0-9_-]{43}$/;

/** The region's default rules per profile (as in terminal/examples), when there is no template. */
const DEFAULT_RULES: Record<string, unknown> = {
  bus: { profile: 'bus', repeatWindowSec: 60, categories: { pensioner: { ride: 'FREE' }, student: { ride: 'DISCOUNT', discountPercent: 50 } }, fares: {}, defaultFullKopecks: 5000, restricted: { maxRidesPerDayWhenStale: 2 } },
  gate: {
    profile: 'gate',
    schedules: { student: [{ days: [1, 2, 3, 4, 5, 6], from: '07:00', to: '19:00' }], staff: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '06:00', to: '22:00' }] },
    holidays: [], antiPassback: { enabled: true, resetAtLocal: '03:00' }, staffOverride: true, repeatWindowSec: 10,
  },
  canteen: {
    profile: 'canteen',
    windows: [{ id: 'breakfast', from: '08:00', to: '10:00', priceKopecks: 9000 }, { id: 'lunch', from: '11:30', to: '15:00', priceKopecks: 15000 }],
    freeMeals: {}, restricted: { maxPaidKopecksPerDayWhenStale: 15000 },
  },
};

const failed = (message: string, details: Record<string, unknown> = {}, cause?: unknown): RescardError =>
  new RescardError('ENROLMENT_FAILED', message, details, cause === undefined ? undefined : { cause });

export function makeCsr(deviceId: string, keyPem: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([{ name: 'commonName', value: deviceId }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

async function post(opts: EnrollOptions, csrPem: string): Promise<EnrolAnswer> {
  const url = new URL('/enroll', opts.server).toString();
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: opts.token, csrPem }), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw failed(`cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`, { url }, err);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw failed(`${url} answered ${res.status} without JSON`, { url, status: res.status }, err);
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string } }).error;
    const code = e?.code !== undefined && e.code in ERROR_CODES ? (e.code as ErrorCode) : 'ENROLMENT_FAILED';
    throw new RescardError(code, `the server refused the enrolment: ${e?.message ?? res.status}`, { status: res.status });
  }
  return body as EnrolAnswer;
}

/** The answer is for this device and this key, from the CA it came with. */
function checkAnswer(a: EnrolAnswer, deviceId: string, keyPem: string): X509Certificate {
  try {
    const cert = new X509Certificate(a.certificatePem);
    const ca = new X509Certificate(a.caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new Error('the certificate is not signed by the CA in the answer');
    if (!cert.subject.split('\n').includes(`CN=${deviceId}`) || a.deviceId !== deviceId) throw new Error('the certificate is for another device');
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the certificate is not for this device\'s key');
    if (typeof a.mqttUrl !== 'string' || typeof a.listSigningKey?.kid !== 'string') throw new Error('the answer lacks the MQTT URL or the list key');
    return cert;
  } catch (err) {
    throw failed(`the enrolment answer does not hold: ${err instanceof Error ? err.message : String(err)}`, { deviceId }, err);
  }
}

function readTemplate(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read the template ${path}: ${(err as Error).message}`, { path });
  }
}

export async function runEnroll(opts: EnrollOptions): Promise<EnrollResult> {
  const log = opts.log.child({ module: 'enroll' });
  const deviceId = TOKEN.exec(opts.token)?.[1];
  if (deviceId === undefined) throw new RescardError('ENROLMENT_TOKEN_UNKNOWN', 'this is not an enrolment token (rset1_<device id>_…)');
  const template = readTemplate(opts.template);
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  log.info({ deviceId, server: opts.server }, 'enrolling');
  const answer = await post(opts, makeCsr(deviceId, keyPem));
  const cert = checkAnswer(answer, deviceId, keyPem);
  if (answer.config.kind !== 'terminal') throw failed(`the token is for a ${answer.config.kind}: use rescard-gateway enroll`, { deviceId });
  const profile = answer.config.profile;
  const config = {
    dataDir: './data',
    readers: [{}],
    ...template,
    deviceId,
    profile,
    context: { ...((template['context'] as object | undefined) ?? {}), ...answer.config.context },
    rules: template['rules'] ?? DEFAULT_RULES[profile],
    tokenKeys: answer.tokenKeys,
    lists: { ...((template['lists'] as object | undefined) ?? {}), allowDev: false, verifyKeys: { [answer.listSigningKey.kid]: answer.listSigningKey.publicKeyPem } },
    uplink: {
      ...((template['uplink'] as object | undefined) ?? {}),
      url: answer.mqttUrl,
      listsBaseUrl: new URL(opts.server).origin,
      tls: { caFile: 'ca.crt', certFile: 'device.crt', keyFile: 'device.key' },
    },
  };
  // Usable by `start` or nothing is written (a template of another profile fails here).
  parseTerminalConfig(config, {}, out);
  const configPath = join(out, 'terminal.json');
  writeAtomic(join(out, 'device.key'), keyPem, 0o600);
  writeAtomic(join(out, 'device.crt'), answer.certificatePem, 0o644);
  writeAtomic(join(out, 'ca.crt'), answer.caPem, 0o644);
  writeAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  log.info({ deviceId, profile, notAfter: cert.validTo, configPath }, 'enrolled');
  return { deviceId, profile, configPath, certificateNotAfter: new Date(cert.validTo).toISOString(), mqttUrl: answer.mqttUrl };
}
