/**
 * Building one upstream message (topics.gatewayTaps, gatewayBatchSchema) from outbox rows. Pure.
 * Rows keep the tap exactly as validated on arrival (its JSON text), so the message is built by
 * concatenation, not by re-parsing every tap. Bounds, all from the protocol or the config:
 * at most `maxTaps` taps, `maxBytes` bytes (under MAX_PAYLOAD_BYTES, which the server enforces),
 * 64 device batches (gatewayBatchSchema) of at most MAX_TAPS_PER_BATCH taps each.
 * Rows that do not fit stay for the next message; nothing is dropped.
 */
import { MAX_TAPS_PER_BATCH } from '@rescard/shared';

export interface OutboxRow {
  readonly rowid: number;
  readonly deviceId: string;
  readonly seq: number;
  /** The tap's JSON text (tapWireSchema-valid when it was stored). */
  readonly body: string;
  readonly receivedAtMs: number;
}

export interface ForwardLimits {
  readonly maxTaps: number;
  readonly maxBytes: number;
}

export interface ForwardMessage {
  readonly payload: Buffer;
  /** The rows in the message, in the order taken. */
  readonly rows: readonly OutboxRow[];
}

const MAX_DEVICE_BATCHES = 64;
// Room for the envelope and one device batch header (ids ≤ 64 chars each).
const ENVELOPE_BYTES = 256;
const DEVICE_HEADER_BYTES = 192;

export function buildForwardMessage(gatewayId: string, batchId: string, sentAtMs: number, rows: readonly OutboxRow[], limits: ForwardLimits): ForwardMessage | null {
  const chunks: { deviceId: string; bodies: string[] }[] = [];
  const open = new Map<string, { deviceId: string; bodies: string[] }>();
  const taken: OutboxRow[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const row of rows) {
    if (taken.length >= limits.maxTaps) break;
    let chunk = open.get(row.deviceId);
    const needsChunk = chunk === undefined || chunk.bodies.length >= MAX_TAPS_PER_BATCH;
    const cost = row.body.length + 1 + (needsChunk ? DEVICE_HEADER_BYTES : 0);
    if (bytes + cost > limits.maxBytes) break;
    if (needsChunk) {
      if (chunks.length >= MAX_DEVICE_BATCHES) break;
      chunk = { deviceId: row.deviceId, bodies: [] };
      chunks.push(chunk);
      open.set(row.deviceId, chunk);
    }
    chunk!.bodies.push(row.body);
    taken.push(row);
    bytes += cost;
  }
  if (taken.length === 0) return null;
  const parts = chunks.map(
    (c, i) => `{"deviceId":${JSON.stringify(c.deviceId)},"batchId":${JSON.stringify(`${batchId}.${i}`)},"sentAtMs":${sentAtMs},"taps":[${c.bodies.join(',')}]}`,
  );
  const text = `{"v":1,"gatewayId":${JSON.stringify(gatewayId)},"batchId":${JSON.stringify(batchId)},"sentAtMs":${sentAtMs},"batches":[${parts.join(',')}]}`;
  return { payload: Buffer.from(text, 'utf8'), rows: taken };
}
