/**
 * Decoding at every receiver: size check, JSON, schema (with `v`; the compiled fast path in
 * compiled-check.ts, zod for the reason of a refusal). A bad message is a value, not an
 * exception: the receiver counts it by reason, logs it, and carries on. Nothing here throws on
 * any input (fuzzed in protocol.test.ts).
 */
import type { z } from 'zod';
import { compiledCheck } from './compiled-check.js';
import { MAX_PAYLOAD_BYTES } from './messages.js';

export type RejectReason = 'too-large' | 'json' | 'version' | 'schema';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export function decodePayload<S extends z.ZodType>(schema: S, payload: Uint8Array | string): Decoded<z.infer<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'too-large', detail: `${size} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: 'json', detail: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || (raw as { v?: unknown }).v !== 1) {
    return { ok: false, reason: 'version', detail: `v=${String((raw as { v?: unknown } | null)?.v)}` };
  }
  // The schemas have no transforms or defaults: what passes the compiled check is the value.
  if (compiledCheck(schema)?.(raw) === true) return { ok: true, value: raw as z.infer<S> };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'schema', detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: parsed.data };
}

export function encodePayload<T extends { v: 1 }>(message: T): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** Rejected messages by reason: what a receiver reports in its status and metrics. */
export class RejectCounter {
  private readonly counts = new Map<string, number>();

  add(kind: string, reason: RejectReason): void {
    const key = `${kind}:${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
