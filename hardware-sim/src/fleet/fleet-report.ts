/**
 * Figures of a fleet run: a bounded latency sample, percentiles, and the summary with its
 * readable lines (the CLI prints them, then the summary as one JSON line).
 */
import type { SimFleetTerminal } from './sim-fleet-terminal.js';

// Reservoir of ack latencies: 100k samples keep p99 honest for any run length at 800 KB.
// Overflow: reservoir sampling (each sample kept with probability size/seen), nothing grows.
const RESERVOIR_SIZE = 100_000;

export class LatencySample {
  private readonly samples: number[] = [];
  private seen = 0;

  constructor(private readonly random: () => number) {}

  add(ms: number): void {
    this.seen += 1;
    if (this.samples.length < RESERVOIR_SIZE) this.samples.push(ms);
    else {
      const i = Math.floor(this.random() * this.seen);
      if (i < RESERVOIR_SIZE) this.samples[i] = ms;
    }
  }

  get count(): number {
    return this.seen;
  }

  percentile(p: number): number | null {
    return percentile(this.samples, p);
  }
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

export interface FleetSummary {
  readonly terminals: number;
  readonly connected: number;
  readonly journaled: number;
  readonly tapsSent: number;
  readonly acked: number;
  readonly pending: number;
  readonly duplicatesInAcks: number;
  readonly ackLatencyMs: { readonly p50: number | null; readonly p99: number | null; readonly batches: number };
  readonly reconnects: number;
  readonly ackTimeouts: number;
  readonly publishFailures: number;
  readonly journalFull: number;
  readonly rejectedAcks: number;
  readonly listVersions: Record<string, { readonly min: number; readonly max: number }>;
  readonly allAcked: boolean;
  /** Per terminal (only when terminals ≤ PER_DEVICE_MAX, to keep the JSON line short). */
  readonly perDevice?: readonly { readonly deviceId: string; readonly journaled: number; readonly committedUpTo: number }[];
}

export const PER_DEVICE_MAX = 200;

const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

export function summarize(terminals: readonly SimFleetTerminal[], latency: LatencySample): FleetSummary {
  let journaled = 0, tapsSent = 0, acked = 0, duplicates = 0, reconnects = 0, timeouts = 0, failures = 0, full = 0, rejected = 0, connected = 0;
  const versions: Record<string, { min: number; max: number }> = {};
  for (const t of terminals) {
    const c = t.counters;
    journaled += t.journal.journaled;
    acked += t.journal.acked;
    tapsSent += c.tapsSent;
    duplicates += c.duplicates;
    reconnects += Math.max(0, c.connects - 1);
    timeouts += c.ackTimeouts;
    failures += c.publishFailures;
    full += c.journalFull;
    rejected += c.rejectedAcks;
    if (t.connected) connected += 1;
    for (const [list, v] of Object.entries(t.lists.held())) {
      const cur = versions[list];
      versions[list] = cur ? { min: Math.min(cur.min, v), max: Math.max(cur.max, v) } : { min: v, max: v };
    }
  }
  return {
    terminals: terminals.length, connected, journaled, tapsSent, acked, pending: journaled - acked, duplicatesInAcks: duplicates,
    ackLatencyMs: { p50: round(latency.percentile(50)), p99: round(latency.percentile(99)), batches: latency.count },
    reconnects, ackTimeouts: timeouts, publishFailures: failures, journalFull: full, rejectedAcks: rejected, listVersions: versions,
    allAcked: journaled === acked,
    ...(terminals.length <= PER_DEVICE_MAX
      ? { perDevice: terminals.map((t) => ({ deviceId: t.deviceId, journaled: t.journal.journaled, committedUpTo: t.journal.acked })) }
      : {}),
  };
}

export function summaryLines(s: FleetSummary): string[] {
  const lists = Object.entries(s.listVersions).map(([l, v]) => `${l} v${v.min}${v.max === v.min ? '' : `..v${v.max}`}`).join(', ') || 'none';
  return [
    `fleet: ${s.terminals} terminals (${s.connected} connected at the end)`,
    `taps: ${s.journaled} journaled, ${s.tapsSent} sent (with resends), ${s.acked} acked, ${s.pending} pending; ${s.duplicatesInAcks} duplicates reported in acks`,
    `ack latency: p50 ${s.ackLatencyMs.p50 ?? '-'} ms, p99 ${s.ackLatencyMs.p99 ?? '-'} ms over ${s.ackLatencyMs.batches} batches`,
    `reconnects ${s.reconnects}, ack timeouts ${s.ackTimeouts}, publish failures ${s.publishFailures}, journal-full refusals ${s.journalFull}, rejected acks ${s.rejectedAcks}`,
    `lists held: ${lists}`,
    s.allAcked ? 'result: every tap acked' : `result: ${s.pending} taps NOT acked`,
  ];
}
