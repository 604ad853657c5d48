/**
 * Renewal nonces, in memory: one-time, bound to a device id, valid `ttlMs`. Bounded at
 * `maxPending` (default 10 000, far above a fleet's renewals in five minutes): when full, expired
 * ones are swept and, if still full, the oldest is dropped (its device asks again). A restart
 * forgets them all, which only costs a device one more round trip.
 */
import { randomBytes } from 'node:crypto';

export class RenewalNonces {
  // Insertion order = age order: the first key is the oldest.
  private readonly pending = new Map<string, { deviceId: string; expiresAtMs: number }>();

  constructor(private readonly ttlMs = 5 * 60_000, private readonly maxPending = 10_000) {}

  issue(deviceId: string, nowMs: number): { nonce: string; expiresAtMs: number } {
    if (this.pending.size >= this.maxPending) {
      for (const [n, p] of this.pending) if (p.expiresAtMs <= nowMs) this.pending.delete(n);
      const oldest = this.pending.keys().next();
      if (this.pending.size >= this.maxPending && oldest.done !== true) this.pending.delete(oldest.value);
    }
    const nonce = randomBytes(24).toString('base64url');
    const expiresAtMs = nowMs + this.ttlMs;
    this.pending.set(nonce, { deviceId, expiresAtMs });
    return { nonce, expiresAtMs };
  }

  /** True once for a live nonce of this device; the nonce is gone afterwards either way. */
  take(nonce: string, deviceId: string, nowMs: number): boolean {
    const p = this.pending.get(nonce);
    if (p === undefined) return false;
    this.pending.delete(nonce);
    return p.deviceId === deviceId && nowMs < p.expiresAtMs;
  }

  get size(): number {
    return this.pending.size;
  }
}
