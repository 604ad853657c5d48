/**
 * Signed freshness on the device: a verified message (pinned key, not expired, for one of the
 * device's audiences, on that audience's topic) extends each named list the device holds at
 * exactly the named version, only forward (ListStore.extendFreshness re-checks the version in
 * its own transaction). The last verified message per audience is kept (one per audience: a
 * bounded map) and re-applied after a list update, so a freshness that arrived while a snapshot
 * was still downloading is not lost.
 */
import { audienceFits, verifyFreshness, type Freshness, type ListVerifiers } from '@rescard/shared';
import type { ListMeta, ListName } from '../core/model.js';
import type { ListStore } from '../ports/list-store.js';

export interface FreshnessContext {
  readonly store: ListStore;
  readonly verifiers: ListVerifiers;
  readonly audiences: readonly string[];
  readonly lists: readonly ListName[];
  readonly now: () => number;
}

export type FreshnessResult = { readonly ok: true; readonly extended: ListMeta[] } | { readonly ok: false; readonly reason: string };

export class FreshnessTracker {
  private readonly latest = new Map<string, { msg: Freshness; expiresAtMs: number }>();

  constructor(private readonly ctx: FreshnessContext) {}

  /** A decoded message from topics.freshness(topicAudience). */
  receive(msg: Freshness, topicAudience: string): FreshnessResult {
    if (msg.audience !== topicAudience) return { ok: false, reason: 'topic-mismatch' };
    if (!this.ctx.audiences.includes(msg.audience)) return { ok: false, reason: 'audience' };
    const check = verifyFreshness(msg, this.ctx.verifiers, this.ctx.now());
    if (!check.ok) return { ok: false, reason: check.reason };
    const prev = this.latest.get(msg.audience);
    if (prev === undefined || check.expiresAtMs >= prev.expiresAtMs) this.latest.set(msg.audience, { msg, expiresAtMs: check.expiresAtMs });
    return { ok: true, extended: this.extend(msg, check.expiresAtMs) };
  }

  /** Re-apply the kept messages (after a list was updated); expired ones are dropped. */
  reapply(): ListMeta[] {
    const out: ListMeta[] = [];
    for (const [audience, { msg, expiresAtMs }] of this.latest) {
      if (expiresAtMs <= this.ctx.now()) this.latest.delete(audience);
      else out.push(...this.extend(msg, expiresAtMs));
    }
    return out;
  }

  private extend(msg: Freshness, expiresAtMs: number): ListMeta[] {
    const extended: ListMeta[] = [];
    for (const list of this.ctx.lists) {
      const version = msg.lists[list];
      if (version === undefined || !audienceFits(list, msg.audience)) continue;
      if (this.ctx.store.extendFreshness(list, version, expiresAtMs)) {
        const meta = this.ctx.store.meta().find((m) => m.list === list);
        if (meta !== undefined) extended.push(meta);
      }
    }
    return extended;
  }
}
