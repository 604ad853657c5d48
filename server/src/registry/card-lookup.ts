/**
 * "Why was this card denied": everything the server knows about one card, by token(s) only:
 * its entries in the imported lists (which import, who, when), its stop-list entry and history,
 * and its last taps with their outcomes and reasons.
 */
import type Database from 'better-sqlite3';
import type { ListFileAttrs } from '@rescard/shared';
import type { ResolvedCard } from './card-ref.js';
import { registryStoreError } from './registry-db.js';
import type { StopEntry, StopEvent } from './stop-store.js';
import type { CardTap, TapLookup } from './tap-lookup.js';

export interface RegistryEntryView {
  readonly list: string;
  readonly audience: string;
  readonly token: string;
  readonly category: string | null;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly attrs: ListFileAttrs;
  readonly importId: string;
  readonly importedBy: string | null;
  readonly importedAtMs: number | null;
}

export interface CardReport {
  readonly token: string;
  readonly kid: string;
  readonly panMasked: string | null;
  readonly entries: readonly RegistryEntryView[];
  readonly stoplist: StopEntry | null;
  readonly stoplistHistory: readonly StopEvent[];
  readonly taps: readonly CardTap[];
}

interface Row {
  list: string; audience: string; token: string; category: string | null; valid_from: string | null; valid_to: string | null; attrs: string;
  import_id: string; actor: string | null; finished_at_ms: number | null;
}

export interface CardLookupDeps {
  readonly db: Database.Database;
  readonly stop: { entry(token: string): StopEntry | null; history(token: string, limit: number): StopEvent[] };
  readonly taps: TapLookup | null;
}

export function lookupCard(card: ResolvedCard, deps: CardLookupDeps, tapLimit: number): CardReport {
  const marks = card.lookupTokens.map(() => '?').join(', ');
  let rows: Row[];
  try {
    rows = deps.db.prepare<unknown[], Row>(`SELECT e.list, e.audience, e.token, e.category, e.valid_from, e.valid_to, e.attrs, e.import_id, r.actor, r.finished_at_ms
      FROM registry_entry e LEFT JOIN import_run r ON r.id = e.import_id WHERE e.token IN (${marks}) ORDER BY e.list, e.audience`).all(...card.lookupTokens);
  } catch (err) {
    throw registryStoreError('read registry entries', err);
  }
  const entries = rows.map((r) => ({
    list: r.list, audience: r.audience, token: r.token, category: r.category, validFrom: r.valid_from, validTo: r.valid_to,
    attrs: JSON.parse(r.attrs) as ListFileAttrs, importId: r.import_id, importedBy: r.actor, importedAtMs: r.finished_at_ms,
  }));
  const stopEntry = card.lookupTokens.map((t) => deps.stop.entry(t)).find((e) => e !== null) ?? null;
  const history = card.lookupTokens.flatMap((t) => deps.stop.history(t, 20)).sort((a, b) => b.atMs - a.atMs);
  return {
    token: card.token, kid: card.kid, panMasked: card.panMasked ?? stopEntry?.panMasked ?? null, entries,
    stoplist: stopEntry,
    stoplistHistory: history,
    taps: deps.taps?.lastTaps(card.lookupTokens, tapLimit) ?? [],
  };
}
