/**
 * The steps every device's `enroll` shares (terminal and gateway): the id from the token, the
 * template, the output folder (0700), a new key pair, the enrolment itself; then, once the
 * program has built and validated its config, every file written atomically at once.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { join, resolve } from 'node:path';
import { RescardError } from '../errors.js';
import { makeCsr, newDeviceKey, writeFileAtomic } from './device-key.js';
import { enrolmentTokenDeviceId, requestEnrolment, type EnrolAnswer } from './enrol-client.js';

export interface EnrolDeviceOptions {
  readonly server: string;
  readonly token: string;
  readonly out: string;
  readonly kind: 'terminal' | 'gateway';
  /** A config file to take the rest from. */
  readonly template?: string;
  readonly log: { info(obj: object, msg: string): void };
  readonly fetch?: typeof fetch;
}

export interface EnrolledDevice {
  readonly deviceId: string;
  /** The output folder, absolute. */
  readonly out: string;
  readonly template: Record<string, unknown>;
  readonly keyPem: string;
  readonly answer: EnrolAnswer;
  readonly certificate: X509Certificate;
}

/** Where the identity goes in the output folder (the configs name these, relative to themselves). */
export const DEVICE_TLS_FILE_NAMES = { caFile: 'ca.crt', certFile: 'device.crt', keyFile: 'device.key' } as const;

function readTemplate(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read the template ${path}: ${(err as Error).message}`, { path });
  }
}

export async function enrolDevice(opts: EnrolDeviceOptions): Promise<EnrolledDevice> {
  const deviceId = enrolmentTokenDeviceId(opts.token);
  const template = readTemplate(opts.template);
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const keyPem = newDeviceKey();
  opts.log.info({ deviceId, server: opts.server, kind: opts.kind }, 'enrolling');
  const { answer, certificate } = await requestEnrolment({
    server: opts.server, token: opts.token, deviceId, keyPem, csrPem: makeCsr(deviceId, keyPem), kind: opts.kind, ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  return { deviceId, out, template, keyPem, answer, certificate };
}

/** Write the key (0600), the certificate, the CA and the config (0600: it may hold keys); returns the config's path. */
export function writeEnrolledDevice(d: EnrolledDevice, configName: string, config: unknown): string {
  const path = join(d.out, configName);
  // A renewal of an earlier identity, interrupted, must not overwrite this one at the next start.
  for (const f of [DEVICE_TLS_FILE_NAMES.keyFile, DEVICE_TLS_FILE_NAMES.certFile]) rmSync(join(d.out, `${f}.next`), { force: true });
  writeFileAtomic(join(d.out, DEVICE_TLS_FILE_NAMES.keyFile), d.keyPem, 0o600);
  writeFileAtomic(join(d.out, DEVICE_TLS_FILE_NAMES.certFile), d.answer.certificatePem, 0o644);
  writeFileAtomic(join(d.out, DEVICE_TLS_FILE_NAMES.caFile), d.answer.caPem, 0o644);
  writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  return path;
}
