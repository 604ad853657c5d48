/**
 * The device side of enrolment (ADR 0007), shared by `rescard-terminal enroll` and
 * `rescard-gateway enroll`: the token names the device id; the device POSTs its CSR with the
 * token to the server's /enroll and checks the answer (a certificate for this id and this key,
 * issued by the CA that came with it) before anything is written.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ERROR_CODES, RescardError, type ErrorCode } from '../errors.js';

export interface EnrolAnswer {
  readonly deviceId: string;
  readonly certificatePem: string;
  readonly caPem: string;
  readonly notAfter: string;
  readonly mqttUrl: string;
  readonly config: { readonly deviceId?: string; readonly profile: string; readonly kind: 'terminal' | 'gateway'; readonly context: Record<string, string> };
  readonly listSigningKey: { readonly kid: string; readonly publicKeyPem: string };
  /** The card-token keys: terminals only (a gateway never sees a PAN). */
  readonly tokenKeys?: unknown;
}

const TOKEN = /^rset1_([A-Za-z0-9._-]{1,64})_[A-Za-z0-9_-]{43}$/;

export const enrolmentFailed = (message: string, details: Record<string, unknown> = {}, cause?: unknown): RescardError =>
  new RescardError('ENROLMENT_FAILED', message, details, cause === undefined ? undefined : { cause });

/** The device id an enrolment token names (rset1_<device id>_<secret>). */
export function enrolmentTokenDeviceId(token: string): string {
  const deviceId = TOKEN.exec(token)?.[1];
  if (deviceId === undefined) throw new RescardError('ENROLMENT_TOKEN_UNKNOWN', 'this is not an enrolment token (rset1_<device id>_…)');
  return deviceId;
}

/** POST JSON to the server; a refusal keeps the server's error code, anything else is ENROLMENT_FAILED. */
export async function postToServer<T>(server: string, path: string, body: unknown, fetchImpl: typeof fetch = fetch): Promise<T> {
  const url = new URL(path, server).toString();
  let res: Response;
  try {
    res = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw enrolmentFailed(`cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`, { url }, err);
  }
  let answer: unknown;
  try {
    answer = await res.json();
  } catch (err) {
    throw enrolmentFailed(`${url} answered ${res.status} without JSON`, { url, status: res.status }, err);
  }
  if (!res.ok) {
    const e = (answer as { error?: { code?: string; message?: string } }).error;
    const code = e?.code !== undefined && e.code in ERROR_CODES ? (e.code as ErrorCode) : 'ENROLMENT_FAILED';
    throw new RescardError(code, `the server refused: ${e?.message ?? res.status}`, { status: res.status, url });
  }
  return answer as T;
}

/** The certificate is for `deviceId` and `keyPem`'s key, and signed by `caPem`. */
export function checkIssued(certificatePem: string, caPem: string, deviceId: string, keyPem: string): X509Certificate {
  try {
    const cert = new X509Certificate(certificatePem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new Error('the certificate is not signed by the CA in the answer');
    if (!cert.subject.split('\n').includes(`CN=${deviceId}`)) throw new Error('the certificate is for another device');
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the certificate is not for this device\'s key');
    return cert;
  } catch (err) {
    throw enrolmentFailed(`the server's answer does not hold: ${err instanceof Error ? err.message : String(err)}`, { deviceId }, err);
  }
}

/** POST /enroll and check the answer for this device, key and kind. */
export async function requestEnrolment(opts: {
  readonly server: string;
  readonly token: string;
  readonly deviceId: string;
  readonly keyPem: string;
  readonly csrPem: string;
  readonly kind: 'terminal' | 'gateway';
  readonly fetch?: typeof fetch;
}): Promise<{ answer: EnrolAnswer; certificate: X509Certificate }> {
  const answer = await postToServer<EnrolAnswer>(opts.server, '/enroll', { token: opts.token, csrPem: opts.csrPem, kind: opts.kind }, opts.fetch);
  const certificate = checkIssued(answer.certificatePem, answer.caPem, opts.deviceId, opts.keyPem);
  if (answer.deviceId !== opts.deviceId) throw enrolmentFailed('the server\'s answer is for another device', { deviceId: opts.deviceId });
  if (typeof answer.mqttUrl !== 'string' || typeof answer.listSigningKey?.kid !== 'string' || typeof answer.config?.profile !== 'string') {
    throw enrolmentFailed('the server\'s answer lacks the MQTT URL, the list key or the config', { deviceId: opts.deviceId });
  }
  if (answer.config.kind !== opts.kind) throw enrolmentFailed(`the server enrolled a ${answer.config.kind}, not a ${opts.kind}`, { deviceId: opts.deviceId });
  return { answer, certificate };
}
