/**
 * The devices' sequence state, cached so that a group commit does not re-read gaps for every
 * device. Bounded: at most `maxDevices` entries (default 100 000, ~100 B each); the least
 * recently used is evicted and re-read from the store when it next sends. Entries change only
 * after a successful commit; a failed commit drops the touched devices (re-read next time).
 */
import type { SeqState } from '../core/seq-state.js';

export class SeqCache {
  private readonly map = new Map<string, SeqState>();

  constructor(private readonly maxDevices = 100_000) {}

  get(deviceId: string): SeqState | undefined {
    const s = this.map.get(deviceId);
    if (s !== undefined) {
      this.map.delete(deviceId);
      this.map.set(deviceId, s);
    }
    return s;
  }

  set(deviceId: string, state: SeqState): void {
    this.map.delete(deviceId);
    this.map.set(deviceId, state);
    if (this.map.size > this.maxDevices) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(deviceId: string): void {
    this.map.delete(deviceId);
  }
}
