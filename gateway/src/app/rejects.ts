/**
 * Rejected messages and refusals, counted by kind and reason and logged with their reason: what
 * the gateway shows in /health. Keys are few (kinds × reasons are fixed sets), so the map is
 * bounded by construction.
 */
import type { Logger } from 'pino';

export class Rejects {
  private readonly counts = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  add(kind: string, reason: string, fields: Record<string, unknown> = {}): void {
    const key = `${kind}:${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.log.warn({ kind, reason, ...fields }, 'message rejected');
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}
