/**
 * Custody of terminal taps: a batch on rescard/v1/dev/{id}/taps is validated, committed to the
 * outbox, and ONLY THEN acked on rescard/v1/dev/{id}/ack with the device's high-water mark
 * (the gateway acts as the terminal's "next durable hop"; same protocol as the server).
 *
 * Overflow policy (the outbox is bounded, see config `outbox.capacityTaps`): a batch that does
 * not fit is not stored and not acked. The terminal keeps its taps in its journal and resends
 * after its ack timeout; nothing is dropped anywhere. A failed commit likewise acks nothing.
 * When an upstream ack raises a device's mark (the server had its earlier taps), the terminal is
 * told at once (`tellTerminals`), so it can free its journal without waiting for a resend.
 */
import { decodePayload, encodePayload, parseTopic, tapBatchSchema, topics, type TapAck } from '@rescard/shared';
import type { Logger } from 'pino';
import type { DeviceMark, Outbox } from '../ports/outbox.js';
import type { Rejects } from './rejects.js';

export interface CustodyDeps {
  readonly outbox: Outbox;
  readonly publishLocal: (topic: string, payload: Buffer) => Promise<void>;
  readonly rejects: Rejects;
  readonly now: () => number;
  readonly log: Logger;
  /** New taps are in the outbox: forward them. */
  readonly onStored: () => void;
}

export interface CustodyStats {
  batches: number;
  tapsStored: number;
  duplicates: number;
  refusedFull: number;
  commitFailures: number;
}

// Last batch id per terminal, used as the batchId of unsolicited acks. Bounded: the oldest entry
// is forgotten past this (the ack then says batchId "gateway"; terminals take it all the same).
const LAST_BATCH_MAX = 4096;

export class Custody {
  readonly stats: CustodyStats = { batches: 0, tapsStored: 0, duplicates: 0, refusedFull: 0, commitFailures: 0 };
  /** Receive → commit, ms, of the last commits (bounded ring for the heartbeat's p50/p99). */
  readonly commitMs: number[] = [];
  private readonly lastBatch = new Map<string, string>();
  private readonly log: Logger;
  private lastFullLogMs = -Infinity;

  constructor(private readonly deps: CustodyDeps) {
    this.log = deps.log.child({ module: 'custody' });
  }

  readonly onMessage = (topic: string, payload: Buffer, clientId: string | null): void => {
    const t = parseTopic(topic);
    if (t?.kind !== 'deviceTaps') return;
    const d = decodePayload(tapBatchSchema, payload);
    if (!d.ok) return this.deps.rejects.add('taps', d.reason, { topic, clientId, detail: d.detail });
    const batch = d.value;
    if (batch.deviceId !== t.deviceId) return this.deps.rejects.add('taps', 'id-mismatch', { topic, clientId, deviceId: batch.deviceId });
    const started = this.deps.now();
    let result;
    try {
      result = this.deps.outbox.accept(batch.deviceId, batch.taps.map((tap) => ({ seq: tap.seq, body: JSON.stringify(tap) })), started);
    } catch (err) {
      this.stats.commitFailures += 1;
      this.log.error({ err, deviceId: batch.deviceId, batchId: batch.batchId }, 'outbox commit failed: not acked (the terminal resends)');
      return;
    }
    if (result.kind === 'full') {
      this.stats.refusedFull += 1;
      if (started - this.lastFullLogMs > 10_000) {
        this.lastFullLogMs = started;
        this.log.warn({ depth: result.depth, capacity: result.capacity, deviceId: batch.deviceId }, 'outbox full: terminal batches are not acked until it drains');
      }
      return;
    }
    this.stats.batches += 1;
    this.stats.tapsStored += result.inserted;
    this.stats.duplicates += result.duplicates;
    this.commitMs.push(this.deps.now() - started);
    if (this.commitMs.length > 1000) this.commitMs.shift();
    this.lastBatch.delete(batch.deviceId);
    this.lastBatch.set(batch.deviceId, batch.batchId);
    if (this.lastBatch.size > LAST_BATCH_MAX) this.lastBatch.delete(this.lastBatch.keys().next().value!);
    this.log.debug({ deviceId: batch.deviceId, batchId: batch.batchId, first: batch.taps[0]?.tapId, committedUpTo: result.committedUpTo }, 'batch in custody');
    this.ack({ v: 1, deviceId: batch.deviceId, batchId: batch.batchId, committedUpTo: result.committedUpTo, duplicates: result.duplicates });
    if (result.inserted > 0) this.deps.onStored();
  };

  /** Marks raised by an upstream ack: tell those terminals. */
  tellTerminals(marks: readonly DeviceMark[]): void {
    for (const m of marks) {
      this.ack({ v: 1, deviceId: m.deviceId, batchId: this.lastBatch.get(m.deviceId) ?? 'gateway', committedUpTo: m.committedUpTo, duplicates: 0 });
    }
  }

  private ack(ack: TapAck): void {
    this.deps.publishLocal(topics.deviceAck(ack.deviceId), encodePayload(ack)).catch((err: unknown) => {
      // Not fatal: the terminal times out and resends; the outbox answers the resend from its mark.
      this.log.warn({ err, deviceId: ack.deviceId }, 'ack publish failed');
    });
  }
}
