/** Protocol-valid taps, batches and heartbeats for tests and the benchmark. No PAN: masked only. */
import type { GatewayBatch, Heartbeat, TapBatch, TapWire } from '@rescard/shared';

const TOKEN = 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g';
export const FIXTURE_WALL_MS = 1_795_300_000_000;

export function makeTap(seq: number, over: Partial<TapWire> = {}): TapWire {
  return {
    seq,
    tapId: `t-${seq}`,
    wallMs: FIXTURE_WALL_MS + seq * 1000,
    monoMs: seq * 1000,
    bootId: 'boot-1',
    token: TOKEN,
    kid: 'dev-1',
    parToken: null,
    panMasked: '220000******0004',
    scheme: 'MIR',
    profile: 'bus',
    context: { routeId: 'r42', utcOffsetMinutes: 180 },
    outcome: 'ALLOW',
    reason: 'OK_FREE',
    counted: 'RIDE',
    amountKopecks: 0,
    fare: { type: 'FREE', kopecks: 0, category: 'pensioner' },
    flags: { staleList: false, restricted: false, clockFault: false },
    listVersions: { benefit: 3, stoplist: 7 },
    readMs: 220,
    ...over,
  };
}

export function makeBatch(deviceId: string, seqs: readonly number[], batchId = `b-${seqs[0] ?? 0}`, over: Partial<TapWire> = {}): TapBatch {
  return { v: 1, deviceId, batchId, sentAtMs: FIXTURE_WALL_MS, taps: seqs.map((s) => makeTap(s, over)) };
}

export function makeGatewayBatch(gatewayId: string, parts: readonly { deviceId: string; seqs: readonly number[] }[], batchId = 'g-1'): GatewayBatch {
  return {
    v: 1,
    gatewayId,
    batchId,
    sentAtMs: FIXTURE_WALL_MS,
    batches: parts.map((p) => {
      const { v: _v, ...rest } = makeBatch(p.deviceId, p.seqs);
      return rest;
    }),
  };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function makeHeartbeat(deviceId: string, lists: Record<string, number> = { stoplist: 7 }, over: Partial<Extract<Heartbeat, { online: true }>> = {}): Heartbeat {
  return {
    v: 1,
    deviceId,
    kind: 'terminal',
    online: true,
    atMs: FIXTURE_WALL_MS,
    appVersion: '0.1.0',
    profile: 'bus',
    queue: { depth: 3, capacity: 1_000_000, alarm: false, oldestAgeMs: 1200 },
    lists: Object.fromEntries(Object.entries(lists).map(([l, version]) => [l, { version, ageMs: 1000, stale: false }])),
    restricted: false,
    clockFault: false,
    tapLatencyMs: { p50: 240, p99: 410 },
    alarms: [],
    ...over,
  };
}
