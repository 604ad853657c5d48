/**
 * Stop-list metadata in registry.db: the entries in force (stop_entry) and every change
 * (stop_event). Synchronous, one transaction per change.
 */
import type Database from 'better-sqlite3';
import { registryStoreError } from './registry-db.js';

export const STOP_REASONS = ['LOST', 'STOLEN', 'FRAUD', 'BENEFIT_REVOKED', 'DAMAGED', 'HOLDER_REQUEST', 'OTHER'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface StopEntry {
  readonly token: string;
  readonly kid: string;
  readonly reason: StopReason;
  readonly note: string | null;
  readonly expiresAtMs: number | null;
  readonly panMasked: string | null;
  readonly addedBy: string;
  readonly addedAtMs: number;
  /** The stop-list version that put (or last changed) it. */
  readonly version: number;
}

export type StopAction = 'add' | 'update' | 'remove' | 'expire';

export interface StopEvent {
  readonly action: StopAction;
  readonly reason: string | null;
  readonly note: string | null;
  readonly expiresAtMs: number | null;
  readonly panMasked: string | null;
  readonly actor: string;
  readonly atMs: number;
  readonly version: number;
}

interface EntryRow {
  token: string; kid: string; reason: StopReason; note: string | null; expires_at_ms: number | null; pan_masked: string | null;
  added_by: string; added_at_ms: number; version: number;
}

const toEntry = (r: EntryRow): StopEntry => ({
  token: r.token, kid: r.kid, reason: r.reason, note: r.note, expiresAtMs: r.expires_at_ms, panMasked: r.pan_masked,
  addedBy: r.added_by, addedAtMs: r.added_at_ms, version: r.version,
});

export class StopStore {
  constructor(private readonly db: Database.Database) {}

  get(token: string): StopEntry | null {
    const r = this.guard('read stop entry', () => this.db.prepare<[string], EntryRow>('SELECT * FROM stop_entry WHERE token = ?').get(token));
    return r === undefined ? null : toEntry(r);
  }

  /** Every entry in force, by token (a new list service is seeded from them). */
  all(): StopEntry[] {
    return this.guard('read stop entries', () => this.db.prepare<[], EntryRow>('SELECT * FROM stop_entry ORDER BY token').all()).map(toEntry);
  }

  /** Entries whose expiry is at or before `nowMs`. */
  expired(nowMs: number): StopEntry[] {
    return this.guard('read expired', () =>
      this.db.prepare<[number], EntryRow>('SELECT * FROM stop_entry WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ? ORDER BY token').all(nowMs),
    ).map(toEntry);
  }

  put(e: StopEntry, action: 'add' | 'update'): void {
    this.guard('write stop entry', () =>
      this.db.transaction(() => {
        this.db.prepare(`INSERT INTO stop_entry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO UPDATE SET kid = excluded.kid,
          reason = excluded.reason, note = excluded.note, expires_at_ms = excluded.expires_at_ms, pan_masked = COALESCE(excluded.pan_masked, pan_masked),
          added_by = excluded.added_by, added_at_ms = excluded.added_at_ms, version = excluded.version`)
          .run(e.token, e.kid, e.reason, e.note, e.expiresAtMs, e.panMasked, e.addedBy, e.addedAtMs, e.version);
        this.event(e.token, { action, reason: e.reason, note: e.note, expiresAtMs: e.expiresAtMs, panMasked: e.panMasked, actor: e.addedBy, atMs: e.addedAtMs, version: e.version });
      }).immediate(),
    );
  }

  delete(tokens: readonly string[], ev: Omit<StopEvent, 'reason' | 'expiresAtMs' | 'panMasked'> & { action: 'remove' | 'expire' }): void {
    this.guard('delete stop entry', () =>
      this.db.transaction(() => {
        for (const token of tokens) {
          const before = this.get(token);
          this.db.prepare('DELETE FROM stop_entry WHERE token = ?').run(token);
          this.event(token, { ...ev, reason: before?.reason ?? null, expiresAtMs: before?.expiresAtMs ?? null, panMasked: before?.panMasked ?? null });
        }
      }).immediate(),
    );
  }

  history(token: string, limit: number): StopEvent[] {
    return this.guard('read stop history', () =>
      this.db.prepare<[string, number], StopEvent>(`SELECT action, reason, note, expires_at_ms AS expiresAtMs, pan_masked AS panMasked, actor, at_ms AS atMs, version
        FROM stop_event WHERE token = ? ORDER BY id DESC LIMIT ?`).all(token, limit),
    );
  }

  private event(token: string, e: StopEvent): void {
    this.db.prepare('INSERT INTO stop_event (token, action, reason, note, expires_at_ms, pan_masked, actor, at_ms, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(token, e.action, e.reason, e.note, e.expiresAtMs, e.panMasked, e.actor, e.atMs, e.version);
  }

  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw registryStoreError(what, err);
    }
  }
}
