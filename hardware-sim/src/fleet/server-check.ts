/**
 * What the fleet asks the server over HTTP (server/src/adapters/http/build-http.ts):
 *   GET /health       → mqtt.port: the broker to use when only --server http://… is given;
 *   GET /api/devices  → seq.committedUpTo / maxSeq per device: does the server hold exactly
 *                       what the fleet journaled? (after a gateway the server may lag: poll.)
 *                       Needs an operator API token with device:read (docs/auth.md).
 */
import type { FleetSummary } from './fleet-report.js';

export async function discoverMqttUrl(httpBase: string): Promise<string> {
  const res = await fetch(new URL('/health', httpBase), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /health: HTTP ${res.status}`);
  const body = (await res.json()) as { mqtt?: { port?: unknown } };
  const port = body.mqtt?.port;
  if (typeof port !== 'number') throw new Error('GET /health has no mqtt.port: give --mqtt-url');
  return `mqtt://${new URL(httpBase).hostname}:${port}`;
}

interface DeviceRow {
  deviceId: string;
  seq: { committedUpTo: number; maxSeq: number } | null;
}

export interface ServerAgreement {
  readonly agrees: boolean;
  /** Devices whose server committedUpTo / maxSeq differ from what the fleet journaled. */
  readonly mismatched: readonly { deviceId: string; journaled: number; serverCommittedUpTo: number; serverMaxSeq: number }[];
}

/** Compare the server's per-device sequence state with the fleet's journals, polling until `timeoutMs`. */
export async function checkServerCounts(httpBase: string, perDevice: NonNullable<FleetSummary['perDevice']>, timeoutMs: number, token: string | null = null): Promise<ServerAgreement> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  for (;;) {
    const res = await fetch(new URL('/api/devices', httpBase), { headers, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET /api/devices: HTTP ${res.status}`);
    const rows = new Map(((await res.json()) as { devices: DeviceRow[] }).devices.map((d) => [d.deviceId, d.seq]));
    const mismatched = perDevice
      .map((d) => ({ deviceId: d.deviceId, journaled: d.journaled, serverCommittedUpTo: rows.get(d.deviceId)?.committedUpTo ?? 0, serverMaxSeq: rows.get(d.deviceId)?.maxSeq ?? 0 }))
      .filter((d) => d.serverCommittedUpTo !== d.journaled || d.serverMaxSeq !== d.journaled);
    if (mismatched.length === 0 || Date.now() > deadline) return { agrees: mismatched.length === 0, mismatched: mismatched.slice(0, 10) };
    await new Promise((r) => setTimeout(r, 250));
  }
}
