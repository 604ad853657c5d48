/**
 * `rescard devices`: GET /api/devices/registry rows (server/src/pki/registry-view.ts) as a table:
 * id, profile, site, certificate state/expiry, online/last seen, list versions, queue depth,
 * restricted. Pure; unknown or missing fields show as "-".
 */
import { ago, formatTable, shortTime } from './format-table.js';

export interface DeviceRow {
  readonly deviceId: string;
  readonly kind?: string | null;
  readonly profile?: string | null;
  readonly site?: Readonly<Record<string, string>>;
  readonly state?: string;
  readonly certificate?: { readonly notAfter: string; readonly state: string; readonly daysLeft: number } | null;
  readonly status?: {
    readonly online: boolean;
    readonly lastSeen: string | null;
    readonly lists?: Readonly<Record<string, number>>;
    readonly queueDepth: number | null;
    readonly restricted: boolean | null;
    readonly clockFault?: boolean | null;
  } | null;
}

const SITE_KEYS: readonly [string, string][] = [['schoolId', 'school'], ['routeId', 'route'], ['carrierId', 'carrier'], ['vehicleId', 'vehicle']];

export function siteText(site: Readonly<Record<string, string>> | undefined): string {
  if (site === undefined) return '-';
  const parts = SITE_KEYS.filter(([k]) => site[k] !== undefined).map(([k, label]) => `${label} ${site[k] ?? ''}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

export function certText(d: DeviceRow): string {
  if (d.state === 'unenrolled') return 'unenrolled';
  const c = d.certificate;
  if (c === null || c === undefined) return d.state ?? '-';
  if (c.state === 'revoked') return 'revoked';
  const until = c.notAfter.slice(0, 10);
  return c.state === 'expired' ? `expired ${until}` : `${c.state} to ${until} (${c.daysLeft}d)`;
}

export function seenText(d: DeviceRow, nowMs: number): string {
  const s = d.status;
  if (s === null || s === undefined) return 'never seen';
  return s.online ? `online (${ago(s.lastSeen, nowMs)})` : `offline, ${s.lastSeen === null ? 'never' : `${shortTime(s.lastSeen)} (${ago(s.lastSeen, nowMs)})`}`;
}

export function listsText(lists: Readonly<Record<string, number>> | undefined): string {
  if (lists === undefined) return '-';
  const names = Object.keys(lists).sort();
  return names.length === 0 ? '-' : names.map((n) => `${n}:${lists[n] ?? '?'}`).join(' ');
}

export function formatDevices(rows: readonly DeviceRow[], nowMs: number): string {
  if (rows.length === 0) return 'no devices enrolled or reporting\n';
  return formatTable(
    ['ID', 'PROFILE', 'SITE', 'CERTIFICATE', 'SEEN', 'LISTS', 'QUEUE', 'RESTRICTED'],
    rows.map((d) => {
      const s = d.status ?? null;
      const restricted = s?.restricted === true ? 'yes' : s?.restricted === false ? 'no' : '-';
      return [
        d.deviceId,
        d.profile ?? d.kind ?? '-',
        siteText(d.site),
        certText(d),
        seenText(d, nowMs),
        listsText(s?.lists),
        s?.queueDepth === null || s?.queueDepth === undefined ? '-' : String(s.queueDepth),
        s?.clockFault === true ? `${restricted}, clock fault` : restricted,
      ];
    }),
  );
}
