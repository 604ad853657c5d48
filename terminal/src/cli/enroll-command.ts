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
import { DEVICE_TLS_FILE_NAMES, enrolDevice, writeEnrolledDevice, type EnrolDeviceOptions } from '@rescard/shared';
import type { Logger } from 'pino';
import { parseTerminalConfig } from '../config/terminal-config.js';

/** What `enroll` is given (shared/src/device-pki/enrol-device.ts), with the program's logger. */
export type EnrollOptions = Omit<EnrolDeviceOptions, 'kind' | 'log'> & { readonly log: Logger };

export interface EnrollResult {
  readonly deviceId: string;
  readonly profile: string;
  readonly configPath: string;
  readonly certificateNotAfter: string;
  readonly mqttUrl: string;
}

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

export async function runEnroll(opts: EnrollOptions): Promise<EnrollResult> {
  const log = opts.log.child({ module: 'enroll' });
  const d = await enrolDevice({ ...opts, kind: 'terminal', log });
  const { answer, template, deviceId } = d;
  const profile = answer.config.profile;
  const server = new URL(opts.server).origin;
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
      listsBaseUrl: server,
      // renewServer: where `start` renews the certificate (the server, even behind a gateway).
      tls: { ...DEVICE_TLS_FILE_NAMES, renewServer: server },
    },
  };
  // Usable by `start` or nothing is written (a template of another profile fails here).
  parseTerminalConfig(config, {}, d.out);
  const configPath = writeEnrolledDevice(d, 'terminal.json', config);
  log.info({ deviceId, profile, notAfter: d.certificate.validTo, configPath }, 'enrolled');
  return { deviceId, profile, configPath, certificateNotAfter: new Date(d.certificate.validTo).toISOString(), mqttUrl: answer.mqttUrl };
}
