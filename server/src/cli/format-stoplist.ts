/**
 * `rescard stoplist`: a change (the new list version, the masked PAN from the server), the
 * propagation view (devices at or past a version, devices behind with their last seen time), and
 * the "why was this card denied" report. Shapes: server/src/registry/registry-schemas.ts. Pure.
 */
import { ago, formatTable, shortTime } from './format-table.js';

export interface StopChangeView {
  readonly version: number;
  readonly token: string;
  readonly kid?: string;
  readonly panMasked: string | null;
  readonly reason: string | null;
  readonly expiresAt: string | null;
}

export interface PositionView {
  readonly deviceId: string;
  readonly kind: string | null;
  readonly version: number;
  readonly online: boolean;
  readonly lastSeenMs: number;
}

export interface PropagationReply {
  readonly list: string;
  readonly version: number;
  readonly currentVersion?: number;
  readonly atOrPast: readonly PositionView[];
  readonly behind: readonly PositionView[];
  readonly notReporting: number;
}

export interface WhyReply {
  readonly token: string;
  readonly kid: string;
  readonly panMasked: string | null;
  readonly entries: readonly Record<string, unknown>[];
  readonly stoplist: Record<string, unknown> | null;
  readonly stoplistHistory: readonly Record<string, unknown>[];
  readonly taps: readonly Record<string, unknown>[];
}

const card = (c: { panMasked: string | null; token: string }): string => (c.panMasked !== null ? `${c.panMasked} (token ${c.token.slice(0, 10)}…)` : `token ${c.token}`);

export function formatStopChange(action: 'added' | 'removed', c: StopChangeView): string {
  const reason = action === 'added' && c.reason !== null ? `, reason ${c.reason}` : '';
  const expiry = action === 'added' && c.expiresAt !== null ? `, expires ${c.expiresAt}` : '';
  return `${action === 'added' ? 'stop-listed' : 'removed from the stop-list'}: ${card(c)}${reason}${expiry}\nstop-list version ${c.version}` +
    `\n(follow it: rescard stoplist propagation --version ${c.version} --watch)\n`;
}

/** All reporting devices hold the version (devices not reporting the list are not waited for). */
export function propagationDone(p: PropagationReply): boolean {
  return p.behind.length === 0;
}

export function formatPropagation(p: PropagationReply, nowMs: number): string {
  const total = p.atOrPast.length + p.behind.length;
  const head = `stop-list version ${p.version}${p.currentVersion !== undefined ? ` (current ${p.currentVersion})` : ''}: ` +
    `${p.atOrPast.length} of ${total} device(s) at or past it, ${p.behind.length} behind` +
    (p.notReporting > 0 ? `, ${p.notReporting} not reporting this list` : '');
  if (p.behind.length === 0) return `${head}\n`;
  const rows = p.behind.map((d) => [d.deviceId, d.kind ?? '-', String(d.version), d.online ? 'online' : 'offline', d.lastSeenMs > 0 ? `${shortTime(d.lastSeenMs)} (${ago(d.lastSeenMs, nowMs)})` : 'never']);
  return `${head}\nbehind:\n${formatTable(['DEVICE', 'KIND', 'VERSION', 'STATE', 'LAST SEEN'], rows)}`;
}

const str = (v: unknown): string => (v === null || v === undefined ? '-' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const when = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? shortTime(v) : '-');

function tapFlags(t: Record<string, unknown>): string {
  const flags = [t['staleList'] === true ? 'stale list' : '', t['restricted'] === true ? 'restricted' : '', t['clockFault'] === true ? 'clock fault' : ''].filter((f) => f !== '');
  return flags.length === 0 ? '-' : flags.join(', ');
}

export function formatWhy(w: WhyReply): string {
  const out: string[] = [`card ${card(w)}, kid ${w.kid}`];
  const s = w.stoplist;
  out.push(s === null
    ? 'stop-list: not on it'
    : `stop-list: ON IT since ${when(s['addedAtMs'])}, reason ${str(s['reason'])}, by ${str(s['addedBy'])}, version ${str(s['version'])}` +
      `${s['expiresAtMs'] !== null && s['expiresAtMs'] !== undefined ? `, expires ${when(s['expiresAtMs'])}` : ''}${typeof s['note'] === 'string' ? `, note: ${s['note']}` : ''}`);
  if (w.stoplistHistory.length > 0) {
    out.push('stop-list history:');
    for (const h of w.stoplistHistory) out.push(`  ${when(h['atMs'])}  ${str(h['action'])}  ${str(h['reason'])}  by ${str(h['actor'])}${typeof h['note'] === 'string' ? `  ${h['note']}` : ''}`);
  }
  if (w.entries.length === 0) out.push('lists: in no imported list');
  else {
    out.push('lists:');
    for (const e of w.entries) {
      out.push(`  ${str(e['list'])} ${str(e['audience'])}: category ${str(e['category'])}, valid ${str(e['validFrom'])} to ${str(e['validTo'])}, import ${str(e['importId'])} by ${str(e['importedBy'])}`);
    }
  }
  if (w.taps.length === 0) out.push('taps: none on record');
  else {
    out.push('last taps:');
    out.push(
      formatTable(
        ['TIME', 'DEVICE', 'PROFILE', 'OUTCOME', 'REASON', 'FLAGS'],
        w.taps.map((t) => [when(t['wallMs']), str(t['deviceId']), str(t['profile']), str(t['outcome']), str(t['reason']), tapFlags(t)]),
      ).trimEnd().split('\n').map((l) => `  ${l}`).join('\n'),
    );
  }
  return out.join('\n') + '\n';
}
