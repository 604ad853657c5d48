/**
 * A real server.db with known taps, for the report tests: written through the server's own
 * ingest store (openServerDb + SqliteIngestStore, one transaction), with the figures computed
 * by hand in reports.test.ts. Times are Moscow local (UTC+3). Tokens only, masked PANs only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TapWire } from '@rescard/shared';
import { openServerDb } from '../adapters/sqlite/open-server-db.js';
import { SqliteIngestStore } from '../adapters/sqlite/sqlite-ingest-store.js';
import { makeTap } from '../testing/tap-fixtures.js';
import { InMemoryMealCategorySource } from './meal-category-source.js';
import { InMemoryRosterSource } from './roster-source.js';

/** A protocol-shaped token (43 url-safe characters) named for the test. */
export const tok = (name: string): string => name.padEnd(43, 'x');
export const pan = (n: number): string => `220000******${String(n).padStart(4, '0')}`;
/** Moscow local time → epoch ms. */
export const msk = (local: string): number => Date.parse(`${local}+03:00`);

const BUS: Record<string, Record<string, string | number>> = {
  'bus-1': { routeId: 'r1', carrierId: 'c1', vehicleId: 'v1' },
  'bus-2': { routeId: 'r2', carrierId: 'c1', vehicleId: 'v2' },
  'bus-3': { routeId: 'r9', carrierId: 'c2', vehicleId: 'v9' },
};
const HOLDERS: Record<string, { pan: string; category: string; type: 'FREE' | 'DISCOUNT'; kopecks: number }> = {
  H1: { pan: pan(1), category: 'pensioner', type: 'FREE', kopecks: 0 },
  H2: { pan: pan(2), category: 'student', type: 'DISCOUNT', kopecks: 2251 },
  H3: { pan: pan(3), category: 'pensioner', type: 'FREE', kopecks: 0 },
  X: { pan: pan(9), category: '', type: 'FREE', kopecks: 0 },
};
const STUDENT_PAN: Record<string, string> = { S1: pan(11), S2: pan(12), S3: pan(13), T1: pan(14), S9: pan(19), U1: pan(21) };

export const ROSTER = new InMemoryRosterSource([
  { schoolId: 'school-7', token: tok('S1'), className: '5A', role: 'student' },
  { schoolId: 'school-7', token: tok('S2'), className: '5A', role: 'student' },
  { schoolId: 'school-7', token: tok('S3'), className: '6B', role: 'student' },
  { schoolId: 'school-7', token: tok('T1'), className: 'staff', role: 'staff' },
  { schoolId: 'school-8', token: tok('U1'), className: '1A', role: 'student' },
]);
export const MEAL_CATEGORIES = new InMemoryMealCategorySource([
  ['school-7', tok('S1'), 'low-income'],
  ['school-7', tok('S2'), 'large-family'],
]);

type Kind = 'ride' | 'companion' | 'repeat' | 'deny' | 'not-enrolled';

export interface Fixture {
  readonly dir: string;
  readonly dbPath: string;
  /** How many of the resent taps the store took again (must be 0). */
  readonly duplicatesStored: number;
  cleanup(): void;
}

export function buildFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-reports-'));
  const dbPath = join(dir, 'server.db');
  const server = openServerDb(dbPath);
  const store = new SqliteIngestStore(server);
  const seqs = new Map<string, number>();
  const rows: { deviceId: string; tap: TapWire }[] = [];
  const add = (deviceId: string, over: Partial<TapWire>): TapWire => {
    const seq = (seqs.get(deviceId) ?? 0) + 1;
    seqs.set(deviceId, seq);
    const tap = makeTap(seq, { tapId: `${deviceId}-${seq}`, ...over });
    rows.push({ deviceId, tap });
    return tap;
  };
  const bus = (deviceId: string, holder: string, local: string, kind: Kind, extra: Partial<TapWire> = {}): TapWire => {
    const h = HOLDERS[holder]!;
    const fare = { type: h.type, kopecks: h.kopecks, category: h.category };
    const base: Partial<TapWire> = { token: tok(holder), panMasked: h.pan, wallMs: msk(local), profile: 'bus', context: { deviceId, profile: 'bus', ...BUS[deviceId], utcOffsetMinutes: 180 } };
    const byKind: Record<Kind, Partial<TapWire>> = {
      ride: { outcome: 'ALLOW', reason: h.type === 'FREE' ? 'OK_FREE' : 'OK_DISCOUNT', counted: 'RIDE', amountKopecks: h.kopecks, fare },
      companion: { outcome: 'ALLOW', reason: 'OK_COMPANION', counted: 'COMPANION', amountKopecks: h.kopecks, fare },
      repeat: { outcome: 'REPEAT', reason: 'REPEAT_RIDE', counted: null, amountKopecks: 0, fare: undefined },
      deny: { outcome: 'DENY', reason: 'QUOTA_EXHAUSTED', counted: null, amountKopecks: 0, fare: undefined },
      'not-enrolled': { outcome: 'NOT_ENROLLED', reason: 'NOT_ENROLLED', counted: null, amountKopecks: 0, fare: undefined },
    };
    return add(deviceId, { ...base, ...byKind[kind], ...extra });
  };
  const gate = (school: string, who: string, local: string, direction: 'IN' | 'OUT', step: 'counted' | 'grant' | 'confirmed' | 'not-passed'): void => {
    const deviceId = school === 'school-7' ? 'gate-7' : 'gate-8';
    const byStep = {
      counted: { outcome: 'ALLOW', reason: who === 'T1' ? 'OK_STAFF' : 'OK_PASSAGE', counted: 'PASSAGE' },
      grant: { outcome: 'ALLOW', reason: 'OK_PASSAGE', counted: null },
      confirmed: { outcome: 'ALLOW', reason: 'PASSAGE_CONFIRMED', counted: 'PASSAGE' },
      'not-passed': { outcome: 'DENY', reason: 'NOT_PASSED', counted: null },
    } as const;
    add(deviceId, {
      token: tok(who), panMasked: STUDENT_PAN[who]!, wallMs: msk(local), profile: 'gate', direction, amountKopecks: 0, fare: undefined,
      context: { deviceId, profile: 'gate', schoolId: school, direction, utcOffsetMinutes: 180 }, ...byStep[step],
    });
  };
  const meal = (school: string, who: string, local: string, window: string, price: number, how: 'free' | 'paid' | 'repeat' | 'deny'): void => {
    const deviceId = school === 'school-7' ? 'canteen-7' : 'canteen-8';
    const counted = how === 'free' || how === 'paid';
    add(deviceId, {
      token: tok(who), panMasked: STUDENT_PAN[who]!, wallMs: msk(local), profile: 'canteen', fare: undefined,
      context: { deviceId, profile: 'canteen', schoolId: school, utcOffsetMinutes: 180 },
      outcome: counted ? 'ALLOW' : how === 'repeat' ? 'REPEAT' : 'DENY',
      reason: counted ? 'OK_MEAL' : how === 'repeat' ? 'ALREADY_SERVED' : 'INSUFFICIENT_ALLOWANCE',
      counted: counted ? 'MEAL' : null,
      amountKopecks: how === 'paid' ? price : 0,
      ...(counted ? { meal: { window, free: how === 'free', priceKopecks: price, remainingKopecks: 10_000 } } : {}),
    });
  };

  // Bus: three holders, two categories, a month boundary in Moscow time.
  bus('bus-1', 'H1', '2026-10-31T23:30:00', 'ride');
  bus('bus-1', 'H1', '2026-11-01T00:30:00', 'ride'); // still 31 October in UTC
  bus('bus-1', 'H1', '2026-11-01T09:00:00', 'companion');
  const resent = bus('bus-3', 'H1', '2026-11-02T10:00:00', 'ride');
  bus('bus-1', 'H1', '2026-12-01T00:10:00', 'ride'); // 30 November in UTC: outside Oct–Nov
  bus('bus-2', 'H2', '2026-11-01T08:00:00', 'ride');
  bus('bus-2', 'H2', '2026-11-01T08:01:00', 'repeat');
  bus('bus-1', 'H2', '2026-11-01T08:02:00', 'ride');
  bus('bus-1', 'H2', '2026-11-03T08:00:00', 'deny', { flags: { staleList: true, restricted: true, clockFault: false } });
  const at = (lat: number, lon: number) => ({ position: { lat, lon, speedKmh: 20, quality: 1, ageMs: 200, stopId: null, flag: 'OK' } });
  bus('bus-1', 'H3', '2026-11-01T12:00:00', 'ride', at(55.75, 37.62));
  bus('bus-3', 'H3', '2026-11-01T12:05:00', 'ride', { ...at(55.75, 38.5), flags: { staleList: false, restricted: false, clockFault: true } });
  bus('bus-2', 'H3', '2026-11-01T12:20:00', 'ride', at(55.76, 37.63));
  bus('bus-1', 'X', '2026-11-01T10:00:00', 'not-enrolled');

  // Gates: turnstile grants with and without a confirmed passage.
  gate('school-7', 'S1', '2026-11-02T08:00:00', 'IN', 'grant');
  gate('school-7', 'S1', '2026-11-02T08:00:02', 'IN', 'confirmed');
  gate('school-7', 'S1', '2026-11-02T14:00:00', 'OUT', 'grant');
  gate('school-7', 'S1', '2026-11-02T14:00:01', 'OUT', 'confirmed');
  gate('school-7', 'S1', '2026-11-02T15:30:00', 'OUT', 'counted');
  gate('school-7', 'S2', '2026-11-02T08:10:00', 'IN', 'grant');
  gate('school-7', 'S2', '2026-11-02T08:10:05', 'IN', 'not-passed');
  gate('school-7', 'T1', '2026-11-02T07:30:00', 'IN', 'counted');
  gate('school-7', 'S9', '2026-11-02T09:00:00', 'OUT', 'counted');
  gate('school-7', 'S1', '2026-11-03T08:05:00', 'IN', 'counted');
  gate('school-7', 'S2', '2026-11-04T08:00:00', 'IN', 'grant'); // nobody passed that day
  gate('school-8', 'U1', '2026-11-02T08:00:00', 'IN', 'counted');

  // Canteens.
  meal('school-7', 'S1', '2026-11-02T08:30:00', 'breakfast', 9000, 'free');
  meal('school-7', 'S1', '2026-11-02T12:30:00', 'lunch', 15000, 'paid');
  meal('school-7', 'S1', '2026-11-02T12:35:00', 'lunch', 15000, 'repeat');
  meal('school-7', 'S2', '2026-11-02T12:40:00', 'lunch', 15000, 'free');
  meal('school-7', 'S3', '2026-11-03T12:30:00', 'lunch', 15000, 'paid');
  meal('school-7', 'S3', '2026-11-03T12:31:00', 'lunch', 15000, 'deny');
  meal('school-8', 'U1', '2026-11-02T12:00:00', 'lunch', 12000, 'paid');

  let duplicatesStored = 0;
  store.transaction(() => {
    for (const r of rows) store.insertTap({ deviceId: r.deviceId, tap: r.tap, receivedAtMs: r.tap.wallMs + 60_000, late: false, batchId: 'b-1', viaGatewayId: null });
    // The same tap sent again (a resend after a lost ack): stored once.
    if (store.insertTap({ deviceId: 'bus-3', tap: resent, receivedAtMs: resent.wallMs + 120_000, late: false, batchId: 'b-2', viaGatewayId: null })) duplicatesStored += 1;
    const gap = (deviceId: string, fromSeq: number, toSeq: number, opened: string, closed: string | null): void => {
      const g = { fromSeq, toSeq, openedAtMs: msk(opened) };
      store.saveSeqState(deviceId, { maxSeq: toSeq + 1, gaps: closed === null ? [g] : [] }, [{ kind: 'open', gap: g }], msk(opened));
      if (closed !== null) store.saveSeqState(deviceId, { maxSeq: toSeq + 1, gaps: [] }, [{ kind: 'close', gap: g, closedAtMs: msk(closed) }], msk(closed));
    };
    gap('bus-1', 3, 3, '2026-10-31T23:40:00', '2026-11-01T00:10:00');
    gap('bus-2', 5, 7, '2026-11-01T09:00:00', null);
    gap('gate-7', 20, 21, '2026-11-02T10:00:00', '2026-11-02T10:05:00');
    gap('gate-7', 40, 40, '2026-12-05T10:00:00', null); // after the period
    gap('bus-3', 9, 9, '2026-09-10T10:00:00', '2026-09-20T10:00:00'); // closed before it
  });
  server.close();
  return { dir, dbPath, duplicatesStored, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
