/**
 * From MQTT messages to work for the group writer, and acks back after the commit.
 * Every payload is validated here (decodePayload: size, JSON, v, schema) and its id must match
 * its topic; anything else is rejected, counted and logged, and never throws.
 *
 * Acks (QoS 1, not retained), published only from the writer's after-commit callback:
 * - rescard/v1/dev/{id}/ack  {v, deviceId, batchId, committedUpTo, duplicates}
 * - rescard/v1/gw/{id}/ack   {v, gatewayId, batchId, committed: [{deviceId, committedUpTo}]}
 * Statuses (dev/+/status, gw/+/status, and a gateway's terminals on gw/+/terminals) are stored by
 * the same writer; no ack beyond QoS 1 (a lost one is superseded by the next).
 * committedUpTo is the device's contiguous high-water mark: every seq ≤ it is committed.
 */
import {
  decodePayload,
  encodePayload,
  gatewayBatchSchema,
  heartbeatSchema,
  parseTopic,
  tapBatchSchema,
  terminalStatusesSchema,
  topics,
  type GatewayAck,
  type TapAck,
} from '@rescard/shared';
import type { Logger } from 'pino';
import type { IngestWriter } from '../ports/ingest-writer.js';
import type { Rejects } from './rejects.js';

export type Publish = (topic: string, payload: Buffer, options: { qos: 0 | 1; retain?: boolean }) => Promise<void>;

export interface IngestDeps {
  readonly writer: IngestWriter;
  readonly publish: Publish;
  readonly rejects: Rejects;
  readonly now: () => number;
  readonly log: Logger;
}

/** Returns a promise while the writer is full: the broker reads nothing more from that client until it settles. */
export type MessageHandler = (topic: string, payload: Buffer, clientId: string | null) => Promise<void> | undefined;

export function createIngestHandler(deps: IngestDeps): MessageHandler {
  const { writer, rejects, log } = deps;
  const send = (topic: string, payload: Buffer): void => {
    deps.publish(topic, payload, { qos: 1 }).catch((err: unknown) => log.warn({ err, topic }, 'ack publish failed'));
  };

  const handle = (topic: string, payload: Buffer, clientId: string | null): void => {
    const t = parseTopic(topic);
    const receivedAtMs = deps.now();
    if (t === null) return;
    if (t.kind === 'deviceTaps') {
      const d = decodePayload(tapBatchSchema, payload);
      if (!d.ok) return rejects.add('taps', d.reason, { topic, clientId, detail: d.detail });
      const batch = d.value;
      if (batch.deviceId !== t.deviceId) return rejects.add('taps', 'id-mismatch', { topic, clientId, deviceId: batch.deviceId });
      writer.submit({
        receivedAtMs,
        viaGatewayId: null,
        batches: [batch],
        onCommitted: ([r]) => {
          const ack: TapAck = { v: 1, deviceId: batch.deviceId, batchId: batch.batchId, committedUpTo: r!.committedUpTo, duplicates: r!.duplicates };
          send(topics.deviceAck(batch.deviceId), encodePayload(ack));
        },
      }, { kind: 'device', bytes: payload });
    } else if (t.kind === 'gatewayTaps') {
      const d = decodePayload(gatewayBatchSchema, payload);
      if (!d.ok) return rejects.add('gateway-taps', d.reason, { topic, clientId, detail: d.detail });
      const gb = d.value;
      if (gb.gatewayId !== t.gatewayId) return rejects.add('gateway-taps', 'id-mismatch', { topic, clientId, gatewayId: gb.gatewayId });
      writer.submit({
        receivedAtMs,
        viaGatewayId: gb.gatewayId,
        batches: gb.batches,
        onCommitted: (results) => {
          const perDevice = new Map(results.map((r) => [r.deviceId, r.committedUpTo]));
          const committed = [...perDevice].map(([deviceId, committedUpTo]) => ({ deviceId, committedUpTo }));
          const ack: GatewayAck = { v: 1, gatewayId: gb.gatewayId, batchId: gb.batchId, committed };
          send(topics.gatewayAck(gb.gatewayId), encodePayload(ack));
        },
      }, { kind: 'gateway', bytes: payload });
    } else if (t.kind === 'deviceStatus' || t.kind === 'gatewayStatus') {
      const d = decodePayload(heartbeatSchema, payload);
      if (!d.ok) return rejects.add('status', d.reason, { topic, clientId, detail: d.detail });
      const id = 'deviceId' in t ? t.deviceId : t.gatewayId;
      if (d.value.deviceId !== id) return rejects.add('status', 'id-mismatch', { topic, clientId, deviceId: d.value.deviceId });
      writer.submit({ receivedAtMs, viaGatewayId: null, batches: [], status: d.value });
    } else if (t.kind === 'gatewayTerminals') {
      const d = decodePayload(terminalStatusesSchema, payload);
      if (!d.ok) return rejects.add('terminal-statuses', d.reason, { topic, clientId, detail: d.detail });
      if (d.value.gatewayId !== t.gatewayId) return rejects.add('terminal-statuses', 'id-mismatch', { topic, clientId, gatewayId: d.value.gatewayId });
      // A gateway relays its terminals' statuses, never its own or another gateway's.
      if (d.value.statuses.some((r) => r.status.deviceId === t.gatewayId || (r.status.online && r.status.kind !== 'terminal'))) {
        return rejects.add('terminal-statuses', 'schema', { topic, clientId, detail: 'a relayed status is not a terminal' });
      }
      writer.submit({ receivedAtMs, viaGatewayId: t.gatewayId, batches: [], relayed: { gatewayId: t.gatewayId, statuses: d.value.statuses } });
    }
  };
  return (topic, payload, clientId) => {
    handle(topic, payload, clientId);
    return writer.pressure() ?? undefined;
  };
}
