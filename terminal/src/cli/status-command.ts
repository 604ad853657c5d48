/** `rescard-terminal status --config FILE`: what a technician checks — lists, journal, mode. */
import type { Logger } from 'pino';
import { restrictedStatus } from '../core/restricted-mode.js';
import { PROFILE_LISTS, type ListName } from '../core/model.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { openDevice } from './device.js';

export function runStatus(config: TerminalConfig, log: Logger, nowMs: number): Record<string, unknown> {
  const device = openDevice(config, log);
  try {
    const metas = new Map(device.lists.meta().map((m) => [m.list, m]));
    const lists: Record<string, unknown> = {};
    const states: Partial<Record<ListName, { version: number; stale: boolean; loaded: boolean }>> = {};
    for (const name of PROFILE_LISTS[config.profile]) {
      const m = metas.get(name);
      states[name] = m ? { version: m.version, stale: m.expiresAtMs <= nowMs, loaded: true } : { version: 0, stale: true, loaded: false };
      lists[name] = m
        ? { version: m.version, count: m.count, issuedAt: new Date(m.issuedAtMs).toISOString(), expiresAt: new Date(m.expiresAtMs).toISOString(), stale: m.expiresAtMs <= nowMs }
        : { loaded: false };
    }
    const journal = device.journal.stats();
    return {
      deviceId: config.deviceId,
      profile: config.profile,
      db: config.dbPath,
      schemaVersion: device.db.schemaVersion,
      lists,
      restricted: restrictedStatus(config.profile, states),
      journal: { ...journal, oldestAgeMs: journal.oldestWallMs === null ? null : nowMs - journal.oldestWallMs },
      tokenKid: device.keyring.primaryKid,
      developmentKey: device.keyring.usesDevelopmentKey,
    };
  } finally {
    device.close();
  }
}
