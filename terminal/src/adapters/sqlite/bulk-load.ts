/**
 * Synthetic lists for benchmarks (1M and 10M rows): entries are generated one at a time and
 * streamed into replaceList, so memory stays constant whatever `count` is. Tokens look like real
 * ones (base64url of a 32-byte hash) and are reproducible: syntheticToken(i) is entry i's token,
 * so a bench can look up entries that exist (i < count) and ones that do not (i >= count).
 */
import { createHash } from 'node:crypto';
import type { ListEntry, ListMeta, ListName } from '../../core/model.js';
import type { ListStore } from '../../ports/list-store.js';

export interface BulkLoadOptions {
  readonly list: ListName;
  readonly count: number;
  readonly version: number;
  readonly seed?: string;
  readonly issuedAtMs?: number;
  readonly expiresAtMs?: number;
}

const DEFAULT_SEED = 'rescard-bench';
const CATEGORIES = ['VETERAN', 'PENSIONER', 'DISABLED', 'STUDENT', 'LARGE_FAMILY'];

export function syntheticToken(i: number, seed = DEFAULT_SEED): string {
  return createHash('sha256').update(`${seed}:${i}`).digest('base64url');
}

/** Entry i of a synthetic list: mostly bare rows, one in ten with quota counters, like a benefit list. */
export function syntheticEntry(list: ListName, i: number, seed = DEFAULT_SEED): ListEntry {
  const token = syntheticToken(i, seed);
  switch (list) {
    case 'stoplist':
      return { list, token, category: null, validFrom: null, validTo: null, attrs: { reason: i % 2 ? 'LOST' : 'STOLEN' } };
    case 'roster':
      return { list, token, category: null, validFrom: '2025-09-01', validTo: '2026-05-31', attrs: { schoolId: `s${i % 500}`, role: 'student' } };
    default:
      return {
        list,
        token,
        category: CATEGORIES[i % CATEGORIES.length] ?? null,
        validFrom: '2025-01-01',
        validTo: '2027-12-31',
        attrs: i % 10 === 0 ? { usedInPeriod: i % 18, usedPeriod: '2025-09', usedAsOfMs: 1_756_684_800_000 } : {},
      };
  }
}

export function* syntheticEntries(list: ListName, count: number, seed = DEFAULT_SEED): Generator<ListEntry> {
  for (let i = 0; i < count; i += 1) yield syntheticEntry(list, i, seed);
}

/** Replace `list` with `count` synthetic entries; returns the wall time it took. */
export function bulkLoadSynthetic(store: ListStore, options: BulkLoadOptions): { count: number; elapsedMs: number } {
  const issuedAtMs = options.issuedAtMs ?? Date.now();
  const meta: ListMeta = {
    list: options.list,
    version: options.version,
    issuedAtMs,
    expiresAtMs: options.expiresAtMs ?? issuedAtMs + 7 * 86_400_000,
    count: options.count,
  };
  const started = performance.now();
  store.replaceList(meta, syntheticEntries(options.list, options.count, options.seed));
  return { count: options.count, elapsedMs: performance.now() - started };
}
