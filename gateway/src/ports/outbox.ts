/**
 * Outbox: the gateway's custody of its terminals' taps, from the terminal's ack to the server's.
 * Adapters: SqliteOutbox (adapters/sqlite; the real one), FakeOutbox (in memory, for tests); one
 * contract suite (outbox.contract.ts) runs against both.
 *
 * - `accept` stores a terminal's taps idempotently on (device, seq) and returns the device's
 *   high-water mark (core/high-water.ts) — durable when it returns: only then may the gateway ack.
 *   Bounded: when the new taps would take the outbox over `capacity`, nothing is stored and
 *   `full` is returned (back-pressure: the gateway does not ack, the terminal keeps its taps).
 * - `pending` lists the rows not yet delivered upstream, in arrival (rowid) order.
 * - `applyUpstreamAck` applies one server ack: rows of the acked message are marked delivered (the
 *   server committed them; they are not sent again), and per device every seq ≤ the server's
 *   committedUpTo is deleted and the high-water mark raised. One transaction.
 */
import type { OutboxRow } from '../core/forward-batch.js';

export interface IncomingTap {
  readonly seq: number;
  /** The validated tap as JSON text. */
  readonly body: string;
}

export type AcceptResult =
  | { readonly kind: 'committed'; readonly committedUpTo: number; readonly inserted: number; readonly duplicates: number }
  | { readonly kind: 'full'; readonly depth: number; readonly capacity: number };

export interface DeviceMark {
  readonly deviceId: string;
  readonly committedUpTo: number;
}

export interface UpstreamAckResult {
  /** Devices whose high-water mark went up (their terminals may be told at once). */
  readonly advanced: readonly DeviceMark[];
  readonly deleted: number;
}

export interface OutboxStats {
  readonly depth: number;
  readonly capacity: number;
  readonly undelivered: number;
  readonly oldestReceivedAtMs: number | null;
}

export interface Outbox {
  accept(deviceId: string, taps: readonly IncomingTap[], receivedAtMs: number): AcceptResult;
  pending(afterRowid: number, limit: number): OutboxRow[];
  applyUpstreamAck(committed: readonly DeviceMark[], deliveredRowids: readonly number[]): UpstreamAckResult;
  highWater(deviceId: string): number;
  stats(): OutboxStats;
}
