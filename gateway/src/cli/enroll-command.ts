/**
 * `rescard-gateway enroll --server URL --token T --out DIR [--template FILE]` (ADR 0007): the
 * gateway makes its own RSA key pair and a CSR for the id the token names, enrols at the
 * server's /enroll (as a gateway: a terminal's token is refused before it is used), checks the
 * answer and writes, in DIR:
 *
 *   device.key    the private key, 0600 (it never leaves the gateway)
 *   device.crt    the client certificate for MQTT over TLS to the server
 *   ca.crt        the project CA (the server's broker is verified against it alone)
 *   gateway.json  a config for `rescard-gateway start --config`: the template's (or default)
 *                 local side, the gateway id, the upstream (mqtts + the server's HTTP base) and the
 *                 audiences it relays (the region, and its school's lists at a school)
 *
 * A gateway gets no card-token keys: it relays tokens and never sees a PAN. The config is
 * validated before anything is written; files are written atomically.
 */
import { DEVICE_TLS_FILE_NAMES, enrolDevice, writeEnrolledDevice, type EnrolDeviceOptions } from '@rescard/shared';
import type { Logger } from 'pino';
import { parseGatewayConfig } from '../config/gateway-config.js';

/** What `enroll` is given (shared/src/device-pki/enrol-device.ts), with the program's logger. */
export type GatewayEnrollOptions = Omit<EnrolDeviceOptions, 'kind' | 'log'> & { readonly log: Logger };

export interface GatewayEnrollResult {
  readonly gatewayId: string;
  readonly configPath: string;
  readonly certificateNotAfter: string;
  readonly mqttUrl: string;
  readonly audiences: readonly string[];
}

export async function runGatewayEnroll(opts: GatewayEnrollOptions): Promise<GatewayEnrollResult> {
  const log = opts.log.child({ module: 'enroll' });
  const d = await enrolDevice({ ...opts, kind: 'gateway', log });
  const { answer, template, deviceId: gatewayId } = d;
  const schoolId = answer.config.context['schoolId'];
  const audiences = ['region', ...(schoolId === undefined ? [] : [`school:${schoolId}`])];
  const config = {
    dataDir: './data',
    ...template,
    gatewayId,
    upstream: {
      ...((template['upstream'] as object | undefined) ?? {}),
      mqttUrl: answer.mqttUrl,
      httpUrl: `${new URL(opts.server).origin}/`,
      tls: DEVICE_TLS_FILE_NAMES,
    },
    lists: { ...((template['lists'] as object | undefined) ?? {}), audiences },
  };
  parseGatewayConfig(config, {}, d.out); // usable by `start`, or nothing is written
  const configPath = writeEnrolledDevice(d, 'gateway.json', config);
  log.info({ gatewayId, notAfter: d.certificate.validTo, configPath, audiences }, 'enrolled');
  return { gatewayId, configPath, certificateNotAfter: new Date(d.certificate.validTo).toISOString(), mqttUrl: answer.mqttUrl, audiences };
}
