/**
 * The propagation view: of the devices that report a list, how many hold version ≥ N. Pure, for
 * the in-memory store and as the reference the SQL query is tested against.
 */
export interface Propagation {
  readonly list: string;
  readonly version: number;
  /** Devices whose latest status reports this list at a version ≥ `version`. */
  readonly atOrAbove: number;
  /** Devices whose latest status reports this list at all. */
  readonly reporting: number;
  /** Devices currently online among `atOrAbove`. */
  readonly onlineAtOrAbove: number;
}

export interface DeviceListVersion {
  readonly deviceId: string;
  readonly online: boolean;
  readonly versions: Readonly<Record<string, number>>;
}

export function propagation(devices: Iterable<DeviceListVersion>, list: string, version: number): Propagation {
  let atOrAbove = 0;
  let reporting = 0;
  let onlineAtOrAbove = 0;
  for (const d of devices) {
    const v = d.versions[list];
    if (v === undefined) continue;
    reporting += 1;
    if (v >= version) {
      atOrAbove += 1;
      if (d.online) onlineAtOrAbove += 1;
    }
  }
  return { list, version, atOrAbove, reporting, onlineAtOrAbove };
}
