/**
 * Which devices hold a list at or past a version, and which are behind, with their last-seen
 * time: from the devices' latest heartbeats (QueryStore.devices()). Pure.
 */
import type { DeviceView } from '../ports/ingest-store.js';

export interface DeviceListPosition {
  readonly deviceId: string;
  readonly kind: 'terminal' | 'gateway' | null;
  /** The version the device last reported for the list. */
  readonly version: number;
  readonly online: boolean;
  readonly lastSeenMs: number;
}

export interface PropagationView {
  readonly list: string;
  readonly version: number;
  readonly atOrPast: readonly DeviceListPosition[];
  /** Oldest version first, then the longest unseen. */
  readonly behind: readonly DeviceListPosition[];
  /** Devices whose heartbeat does not report this list (another profile, or no heartbeat yet). */
  readonly notReporting: number;
}

export function propagationView(devices: readonly DeviceView[], list: string, version: number): PropagationView {
  const atOrPast: DeviceListPosition[] = [];
  const behind: DeviceListPosition[] = [];
  let notReporting = 0;
  for (const d of devices) {
    const held = d.heartbeat?.lists[list]?.version;
    if (held === undefined) {
      notReporting += 1;
      continue;
    }
    const pos = { deviceId: d.deviceId, kind: d.kind, version: held, online: d.online, lastSeenMs: d.lastSeenMs };
    (held >= version ? atOrPast : behind).push(pos);
  }
  atOrPast.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  behind.sort((a, b) => a.version - b.version || a.lastSeenMs - b.lastSeenMs || a.deviceId.localeCompare(b.deviceId));
  return { list, version, atOrPast, behind, notReporting };
}
