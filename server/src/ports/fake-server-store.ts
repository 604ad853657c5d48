/**
 * In-memory IngestStore + QueryStore for unit tests: instant, same contract as SQLite
 * (server-store.contract.ts). `failCommits` makes every transaction throw after its work, as a
 * failed COMMIT would, and rolls the work back.
 */
import { RescardError, type Heartbeat } from '@rescard/shared';
import { propagation, type Propagation } from '../core/propagation.js';
import { EMPTY_SEQ_STATE, committedUpTo, type GapChange, type SeqState } from '../core/seq-state.js';
import type { DeviceView, GapView, IngestStore, QueryStore, StoredTap, StoredTapView, TapQuery } from './ingest-store.js';

interface Snapshot {
  taps: Map<string, StoredTap>;
  seq: Map<string, SeqState>;
  gaps: Map<string, GapView[]>;
  status: Map<string, { online: boolean; kind: DeviceView['kind']; receivedAtMs: number; last: DeviceView['heartbeat']; offlineSinceMs: number | null; via: string | null }>;
}

const key = (deviceId: string, seq: number): string => `${deviceId}\u0000${String(seq).padStart(16, '0')}`;

export class FakeServerStore implements IngestStore, QueryStore {
  failCommits = false;
  commits = 0;
  private s: Snapshot = { taps: new Map(), seq: new Map(), gaps: new Map(), status: new Map() };
  private inTransaction = false;

  transaction<T>(fn: () => T): T {
    if (this.inTransaction) return fn();
    const before: Snapshot = {
      taps: new Map(this.s.taps),
      seq: new Map(this.s.seq),
      gaps: new Map([...this.s.gaps].map(([k, v]) => [k, [...v]])),
      status: new Map(this.s.status),
    };
    this.inTransaction = true;
    try {
      const result = fn();
      if (this.failCommits) throw new RescardError('SERVER_STORE_FAILURE', 'fake: commit failed', {});
      this.commits += 1;
      return result;
    } catch (err) {
      this.s = before;
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  insertTap(row: StoredTap): boolean {
    const k = key(row.deviceId, row.tap.seq);
    if (this.s.taps.has(k)) return false;
    this.s.taps.set(k, row);
    return true;
  }

  storedTapId(deviceId: string, seq: number): string | null {
    return this.s.taps.get(key(deviceId, seq))?.tap.tapId ?? null;
  }

  loadSeqState(deviceId: string): SeqState {
    return this.s.seq.get(deviceId) ?? EMPTY_SEQ_STATE;
  }

  saveSeqState(deviceId: string, state: SeqState, changes: readonly GapChange[], nowMs: number): void {
    this.s.seq.set(deviceId, state);
    const closed = (this.s.gaps.get(deviceId) ?? []).filter((g) => g.closedAtMs !== null);
    for (const c of changes) if (c.kind === 'close') closed.push({ ...c.gap, closedAtMs: nowMs });
    this.s.gaps.set(deviceId, [...state.gaps.map((g) => ({ ...g, closedAtMs: null })), ...closed]);
  }

  saveStatus(status: Heartbeat, receivedAtMs: number, viaGatewayId: string | null = null): boolean {
    const prev = this.s.status.get(status.deviceId);
    if (prev && prev.receivedAtMs > receivedAtMs) return false;
    if (status.online) {
      const { v: _v, deviceId: _d, online: _o, kind, terminals, ...rest } = status;
      const last = { ...rest, terminals: terminals ?? null };
      this.s.status.set(status.deviceId, { online: true, kind, receivedAtMs, last, offlineSinceMs: null, via: viaGatewayId });
    } else {
      const offlineSinceMs = prev && !prev.online ? prev.offlineSinceMs : receivedAtMs;
      this.s.status.set(status.deviceId, { online: false, kind: prev?.kind ?? null, receivedAtMs, last: prev?.last ?? null, offlineSinceMs, via: viaGatewayId });
    }
    return true;
  }

  devices(): DeviceView[] {
    return [...new Set([...this.s.status.keys(), ...this.s.seq.keys()])].sort().map((id) => this.device(id)!);
  }

  device(deviceId: string): DeviceView | null {
    const st = this.s.status.get(deviceId);
    const seq = this.s.seq.get(deviceId);
    if (!st && !seq) return null;
    return {
      deviceId,
      kind: st?.kind ?? null,
      online: st?.online ?? false,
      lastSeenMs: st?.receivedAtMs ?? 0,
      offlineSinceMs: st?.offlineSinceMs ?? null,
      viaGatewayId: st?.via ?? null,
      heartbeat: st?.last ?? null,
      seq: seq ? { committedUpTo: committedUpTo(seq), maxSeq: seq.maxSeq, openGaps: seq.gaps.length } : null,
    };
  }

  gaps(deviceId: string, limit: number): GapView[] {
    const all = this.s.gaps.get(deviceId) ?? [];
    const open = all.filter((g) => g.closedAtMs === null).sort((a, b) => a.fromSeq - b.fromSeq);
    const closed = all.filter((g) => g.closedAtMs !== null).sort((a, b) => (b.closedAtMs ?? 0) - (a.closedAtMs ?? 0));
    return [...open, ...closed].slice(0, limit);
  }

  taps(query: TapQuery): StoredTapView[] {
    return [...this.s.taps.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => r)
      .filter((r) => (query.deviceId === undefined || r.deviceId === query.deviceId) && r.tap.seq >= (query.fromSeq ?? 0))
      .slice(0, query.limit)
      .map((r) => ({ ...r.tap, deviceId: r.deviceId, receivedAtMs: r.receivedAtMs, late: r.late, batchId: r.batchId, viaGatewayId: r.viaGatewayId }));
  }

  tapCount(deviceId?: string): number {
    return deviceId === undefined ? this.s.taps.size : [...this.s.taps.values()].filter((r) => r.deviceId === deviceId).length;
  }

  propagation(list: string, version: number): Propagation {
    const rows = [...this.s.status.entries()].map(([deviceId, st]) => ({
      deviceId,
      online: st.online,
      versions: Object.fromEntries(Object.entries(st.last?.lists ?? {}).map(([l, s]) => [l, s.version])),
    }));
    return propagation(rows, list, version);
  }
}
