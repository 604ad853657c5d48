/** Test data and helpers shared by the ListStore and TapJournal contract tests. */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { isRescardError, type ErrorCode } from '@rescard/shared';
import type { Decision } from '../../core/decision.js';
import type { ListEntry, ListMeta, ListName } from '../../core/model.js';
import type { ListStore } from '../../ports/list-store.js';
import type { NewTap, NewUsage, TapJournal } from '../../ports/tap-journal.js';

export interface StoreOptions {
  readonly capacityTaps?: number;
  readonly usageRetentionDays?: number;
}

/** One device store under test: a fresh one per factory call. */
export interface StoreUnderTest {
  readonly lists: ListStore;
  readonly journal: TapJournal;
  /** Close and open the same store again (the fake keeps its state, as a store that survived). */
  reopen(): StoreUnderTest;
  close(): void;
}

export type StoreFactory = (options?: StoreOptions) => StoreUnderTest;

export const T0 = Date.UTC(2025, 8, 1, 7, 0, 0);
export const DAY_MS = 86_400_000;

/** A realistic card token: base64url of 32 bytes. */
export const tok = (name: string): string => createHash('sha256').update(name).digest('base64url');

export function entry(list: ListName, token: string, extra: Partial<ListEntry> = {}): ListEntry {
  return { list, token, category: null, validFrom: null, validTo: null, attrs: {}, ...extra };
}

export function meta(list: ListName, version: number, count = 0): ListMeta {
  return { list, version, issuedAtMs: T0 - DAY_MS, expiresAtMs: T0 + 7 * DAY_MS, count };
}

const DECISION: Decision = {
  outcome: 'ALLOW',
  reason: 'OK_FREE',
  message: { ru: 'Проезд льготный', en: 'Free ride' },
  counted: 'RIDE',
  fare: { type: 'FREE', kopecks: 0, category: 'VETERAN' },
  amountKopecks: 0,
  flags: { staleList: false, restricted: false, clockFault: false },
};

export function tap(i: number, extra: Partial<NewTap> = {}): NewTap {
  return {
    tapId: `tap-${i}`,
    wallMs: T0 + i * 1000,
    monoMs: 5000.25 + i * 1000,
    bootId: 'boot-1',
    token: tok('card-1'),
    kid: 'dev-1',
    parToken: null,
    panMasked: '220220******1234',
    scheme: 'mir',
    context: { deviceId: 'bus-17', profile: 'bus', routeId: '42', carrierId: 'c1', utcOffsetMinutes: 180 },
    decision: DECISION,
    listVersions: { benefit: 3, stoplist: 9 },
    readMs: 312.5,
    ...extra,
  };
}

export function usage(wallMs: number, extra: Partial<NewUsage> = {}): NewUsage {
  return { wallMs, monoMs: 1000, bootId: 'boot-1', kind: 'RIDE', amountKopecks: 0, free: true, ...extra };
}

export function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isRescardError(thrown, code), `expected RescardError ${code}, got ${String(thrown)}`).toBe(true);
}

export const byToken = (a: ListEntry, b: ListEntry): number => (a.list + a.token).localeCompare(b.list + b.token);

export function appendN(journal: TapJournal, n: number, from = 1): void {
  for (let i = from; i < from + n; i += 1) journal.append(tap(i), null);
}
