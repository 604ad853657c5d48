/**
 * Keeps a running device's certificate renewed (terminal and gateway `start`). At start and then
 * every `checkEveryMs` (default 1 h) it reads the certificate on disk; once `atFraction` (default
 * 2/3) of its lifetime has passed it renews. A failed renewal is logged and retried with an
 * exponential backoff from 1 min up to the check interval, so a server outage of days is
 * survived while the certificate still has a third of its life left. Never throws.
 */
import { readFileSync } from 'node:fs';
import { isRescardError } from '../errors.js';
import { certificateInfo, completePendingRenewal, renewalDueAtMs, renewCertificate, type DeviceTlsFiles } from './renew-client.js';

export interface RenewalLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CertificateRenewalOptions {
  /** The server's HTTP base (the device's enrolment server). */
  readonly server: string;
  readonly deviceId: string;
  readonly files: DeviceTlsFiles;
  readonly log: RenewalLog;
  readonly atFraction?: number;
  readonly checkEveryMs?: number;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** Told after each renewal (e.g. to reconnect at once). */
  readonly onRenewed?: (serial: string, notAfterMs: number) => void;
}

export interface CertificateRenewal {
  /** One check (and renewal when due); resolves to whether it renewed. */
  check(): Promise<boolean>;
  stop(): void;
}

const MIN_RETRY_MS = 60_000;

export function startCertificateRenewal(opts: CertificateRenewalOptions): CertificateRenewal {
  const atFraction = opts.atFraction ?? 2 / 3;
  const every = opts.checkEveryMs ?? 3600_000;
  const now = opts.now ?? Date.now;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<boolean> | null = null;

  const arm = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void check(), ms);
    timer.unref();
  };

  async function attempt(): Promise<boolean> {
    const pending = completePendingRenewal(opts.files);
    if (pending !== 'none') opts.log.warn({ deviceId: opts.deviceId, pending }, 'an interrupted certificate renewal was finished');
    const cert = certificateInfo(readFileSync(opts.files.certFile, 'utf8'));
    const dueAt = renewalDueAtMs(cert, atFraction);
    if (now() < dueAt) return false;
    const renewed = await renewCertificate({ server: opts.server, deviceId: opts.deviceId, files: opts.files, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    opts.log.info({ deviceId: opts.deviceId, serial: renewed.serial, notAfter: new Date(renewed.notAfterMs).toISOString(), previousNotAfter: new Date(cert.notAfterMs).toISOString() }, 'device certificate renewed');
    opts.onRenewed?.(renewed.serial, renewed.notAfterMs);
    return true;
  }

  function check(): Promise<boolean> {
    if (timer !== null) clearTimeout(timer);
    running ??= attempt().then(
      (renewed) => {
        failures = 0;
        arm(every);
        return renewed;
      },
      (err: unknown) => {
        failures++;
        const retryMs = Math.min(every, MIN_RETRY_MS * 2 ** Math.min(failures - 1, 16));
        const fields = isRescardError(err) ? { code: err.code, details: err.details } : { err: err instanceof Error ? err.message : String(err) };
        opts.log.error({ deviceId: opts.deviceId, ...fields, failures, retryMs }, `certificate renewal failed: ${err instanceof Error ? err.message : String(err)}`);
        arm(retryMs);
        return false;
      },
    ).finally(() => {
      running = null;
    });
    return running;
  }

  void check();
  return {
    check,
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
