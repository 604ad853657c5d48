/**
 * `rescard-terminal lists load FILE --config FILE`: apply a signed (or, where allowed, dev-mode)
 * list file to the device database. Until sync exists this is how lists reach a device.
 */
import { createListVerifiers } from '@rescard/shared';
import type { Logger } from 'pino';
import type { TerminalConfig } from '../config/terminal-config.js';
import { loadListFile, type LoadListFileResult } from '../lists/load-list-file.js';
import { listAudiences } from '../sync/lists-sync.js';
import { openDevice } from './device.js';

/** The audiences a device accepts: region-wide lists, and its own school's. */
export function audiencesOf(config: TerminalConfig): string[] {
  return listAudiences(config.profile, config.context.schoolId);
}

export async function runListsLoad(file: string, config: TerminalConfig, log: Logger, nowMs: number): Promise<LoadListFileResult> {
  const device = openDevice(config, log);
  try {
    const result = await loadListFile(file, {
      store: device.lists,
      keyring: device.keyring,
      verifiers: createListVerifiers(config.lists.verifyKeys),
      allowDev: config.lists.allowDev,
      audiences: audiencesOf(config),
      nowMs,
    });
    log.info({ list: result.meta.list, version: result.meta.version, applied: result.applied, count: result.count, dev: result.dev }, 'list loaded');
    return result;
  } finally {
    device.close();
  }
}
