/**
 * The device registry as operators see it: each enrolled device (profile, site, certificate state
 * and expiry, revocation) joined with what the server already keeps from its heartbeats (last
 * seen, app and list versions, queue depth, restricted mode, clock fault). A device that reports
 * status but was never enrolled (plain MQTT in development) is listed as `unenrolled`.
 * Pure: (records, statuses, now) → rows.
 */
import type { DeviceView } from '../ports/ingest-store.js';
import type { DeviceRecord } from './pki-store.js';

const DAY_MS = 86_400_000;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface RegistryRow {
  readonly deviceId: string;
  readonly kind: string | null;
  readonly profile: string | null;
  readonly site: Record<string, string>;
  readonly state: 'active' | 'revoked' | 'unenrolled';
  readonly certificate: { readonly serial: string; readonly notAfter: string; readonly state: 'valid' | 'expiring' | 'expired' | 'revoked'; readonly daysLeft: number } | null;
  readonly enrolledAt: string | null;
  readonly enrolledBy: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly reason: string | null;
  readonly status: {
    readonly online: boolean;
    readonly lastSeen: string | null;
    readonly appVersion: string | null;
    readonly lists: Record<string, number>;
    readonly queueDepth: number | null;
    readonly restricted: boolean | null;
    readonly clockFault: boolean | null;
    readonly committedUpTo: number | null;
    readonly openGaps: number | null;
  } | null;
}

function statusOf(v: DeviceView | undefined): RegistryRow['status'] {
  if (v === undefined) return null;
  const hb = v.heartbeat;
  return {
    online: v.online,
    lastSeen: v.lastSeenMs > 0 ? new Date(v.lastSeenMs).toISOString() : null,
    appVersion: hb?.appVersion ?? null,
    lists: hb === null ? {} : Object.fromEntries(Object.entries(hb.lists).map(([k, l]) => [k, l.version])),
    queueDepth: hb?.queue.depth ?? null,
    restricted: hb?.restricted ?? null,
    clockFault: hb?.clockFault ?? null,
    committedUpTo: v.seq?.committedUpTo ?? null,
    openGaps: v.seq?.openGaps ?? null,
  };
}

export function registryView(records: readonly DeviceRecord[], statuses: readonly DeviceView[], nowMs: number, expiringDays = 7): RegistryRow[] {
  const byId = new Map(statuses.map((s) => [s.deviceId, s]));
  const rows: RegistryRow[] = records.map((d) => {
    const daysLeft = Math.floor((d.notAfterMs - nowMs) / DAY_MS);
    const certState = d.state === 'revoked' ? 'revoked' : nowMs >= d.notAfterMs ? 'expired' : daysLeft < expiringDays ? 'expiring' : 'valid';
    return {
      deviceId: d.deviceId, kind: d.kind, profile: d.profile, site: { ...d.site }, state: d.state,
      certificate: { serial: d.certSerial, notAfter: new Date(d.notAfterMs).toISOString(), state: certState, daysLeft },
      enrolledAt: iso(d.enrolledAtMs), enrolledBy: d.enrolledBy, revokedAt: iso(d.revokedAtMs), revokedBy: d.revokedBy, reason: d.reason,
      status: statusOf(byId.get(d.deviceId)),
    };
  });
  const enrolled = new Set(records.map((d) => d.deviceId));
  for (const s of statuses) {
    if (enrolled.has(s.deviceId)) continue;
    rows.push({
      deviceId: s.deviceId, kind: s.kind, profile: s.heartbeat?.profile ?? null, site: {}, state: 'unenrolled', certificate: null,
      enrolledAt: null, enrolledBy: null, revokedAt: null, revokedBy: null, reason: null, status: statusOf(s),
    });
  }
  return rows.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}
