/**
 * Fleet: N SimFleetTerminals (fleet-0001 …) in one process, a tap generator, heartbeats, drain
 * and figures. A load and fault tool: lists are tracked, not verified (list-tracker.ts).
 *
 * Taps: each terminal taps `ratePerTerminal` times a second (a credit accumulated every tick,
 * seeded start phase), whether connected or not — an offline terminal journals, and sends when
 * its hop is back. A full journal refuses the tap (counted); a journaled tap is never dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LatencySample, summarize, type FleetSummary } from './fleet-report.js';
import type { SnapshotFetcher } from './list-tracker.js';
import { SimFleetTerminal } from './sim-fleet-terminal.js';
import { seededRandom, syntheticTap, syntheticToken, type FleetProfile } from './synthetic-tap.js';

export interface FleetOptions {
  readonly mqttUrl: string;
  readonly terminals: number;
  /** Taps per second per terminal (0: no taps, e.g. a list propagation bench). */
  readonly ratePerTerminal: number;
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly profile: FleetProfile;
  readonly audience: string;
  readonly seed: number;
  /** Device ids are `${prefix}-0001` …; a run's seqs start at 1, so use a new prefix per server db. */
  readonly prefix: string;
  readonly journalCapacity: number;
  /** 0: a heartbeat on each connection only. */
  readonly heartbeatMs: number;
  readonly reconnectMs: number;
  /** Base URL for snapshot downloads (list-tracker.ts); none: versions are taken from announcements. */
  readonly listsBaseUrl?: string;
  readonly log: Logger;
  readonly onListApplied?: (deviceId: string, list: string, version: number) => void;
}

const TICK_MS = 100;
const CARD_POOL = 50_000;
// Snapshot downloads in flight across the fleet; waiting ones are bounded by terminals × lists
// (one per list per terminal, list-tracker.ts).
const FETCH_CONCURRENCY = 8;

export class Fleet {
  readonly terminals: SimFleetTerminal[];
  private readonly latency: LatencySample;
  private readonly random: () => number;
  private readonly bootId = randomUUID().slice(0, 8);
  private readonly credit: number[];
  private readonly nextHeartbeatMs: number[];
  private timer: NodeJS.Timeout | null = null;
  private tapping = false;
  private lastTickMs = Date.now();
  private fetchesRunning = 0;
  private readonly fetchWaiters: (() => void)[] = [];

  constructor(private readonly o: FleetOptions) {
    this.random = seededRandom(o.seed);
    this.latency = new LatencySample(seededRandom(o.seed + 1));
    const width = Math.max(4, String(o.terminals).length);
    const fetchSnapshot = o.listsBaseUrl === undefined ? undefined : this.fetcher(o.listsBaseUrl);
    this.terminals = Array.from({ length: o.terminals }, (_, i) => new SimFleetTerminal({
      ...o, deviceId: `${o.prefix}-${String(i + 1).padStart(width, '0')}`, reconnectMs: Math.round(o.reconnectMs * (0.5 + this.random())),
      onListApplied: o.onListApplied ?? (() => undefined), onAckLatency: (ms) => this.latency.add(ms),
      ...(fetchSnapshot ? { fetchSnapshot } : {}),
    }));
    this.credit = this.terminals.map(() => this.random());
    const now = Date.now();
    this.nextHeartbeatMs = this.terminals.map(() => now + Math.round(this.random() * o.heartbeatMs));
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  startTaps(): void {
    this.tapping = true;
    this.lastTickMs = Date.now();
  }

  stopTaps(): void {
    this.tapping = false;
  }

  connectedCount(): number {
    return this.terminals.filter((t) => t.connected).length;
  }

  /** Resolves true when every journal is empty (every tap acked), false at the deadline. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.terminals.some((t) => t.journal.depth > 0)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  summary(): FleetSummary {
    return summarize(this.terminals, this.latency);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.terminals.map((t) => t.close()));
  }

  private tick(): void {
    const now = Date.now();
    const dt = (now - this.lastTickMs) / 1000;
    this.lastTickMs = now;
    this.terminals.forEach((t, i) => {
      if (this.tapping && this.o.ratePerTerminal > 0) {
        let credit = (this.credit[i] ?? 0) + this.o.ratePerTerminal * dt;
        for (; credit >= 1; credit -= 1) if (!this.tapOnce(t, now)) break;
        this.credit[i] = Math.min(credit, 1);
      }
      t.tick();
      if (this.o.heartbeatMs > 0 && now >= (this.nextHeartbeatMs[i] ?? 0)) {
        this.nextHeartbeatMs[i] = now + this.o.heartbeatMs;
        t.heartbeat();
      }
    });
  }

  private tapOnce(t: SimFleetTerminal, now: number): boolean {
    const card = Math.floor(this.random() * CARD_POOL);
    const roll = this.random();
    return t.tap((seq, listVersions) => syntheticTap({
      deviceId: t.deviceId, bootId: this.bootId, seq, wallMs: now, monoMs: Math.round(performance.now()), profile: this.o.profile,
      card, token: syntheticToken(this.o.seed, card), roll, listVersions,
    }));
  }

  private fetcher(base: string): SnapshotFetcher {
    return async (url) => {
      while (this.fetchesRunning >= FETCH_CONCURRENCY) await new Promise<void>((r) => this.fetchWaiters.push(r));
      this.fetchesRunning += 1;
      try {
        const res = await fetch(new URL(url, base.endsWith('/') ? base : `${base}/`), { signal: AbortSignal.timeout(30_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await res.arrayBuffer();
      } finally {
        this.fetchesRunning -= 1;
        this.fetchWaiters.shift()?.();
      }
    };
  }
}
