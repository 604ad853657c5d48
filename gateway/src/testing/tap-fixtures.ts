/** Protocol-valid taps and batches for tests. No PAN: the masked PAN only. */
import type { TapBatch, TapWire } from '@rescard/shared';

const TOKEN = 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g';
export const FIXTURE_WALL_MS = 1_795_300_000_000;

export function makeTap(seq: number, deviceId = 'bus-1'): TapWire {
  return {
    seq,
    tapId: `${deviceId}-t-${seq}`,
    wallMs: FIXTURE_WALL_MS + seq * 1000,
    monoMs: seq * 1000,
    bootId: 'boot-1',
    token: TOKEN,
    kid: 'dev-1',
    parToken: null,
    panMasked: '220000******0004',
    scheme: 'MIR',
    profile: 'bus',
    context: { routeId: 'r42' },
    outcome: 'ALLOW',
    reason: 'OK_FREE',
    counted: 'RIDE',
    amountKopecks: 0,
    flags: { staleList: false, restricted: false, clockFault: false },
    listVersions: { benefit: 3, stoplist: 7 },
    readMs: 220,
  };
}

export function makeBatch(deviceId: string, seqs: readonly number[], batchId = `b-${seqs[0] ?? 0}`): TapBatch {
  return { v: 1, deviceId, batchId, sentAtMs: FIXTURE_WALL_MS, taps: seqs.map((s) => makeTap(s, deviceId)) };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Taps as the outbox takes them. */
export const incoming = (seqs: readonly number[], deviceId = 'bus-1'): { seq: number; body: string }[] =>
  seqs.map((seq) => ({ seq, body: JSON.stringify(makeTap(seq, deviceId)) }));
