/**
 * bench:decide — one tap from token to durable decision: TapProcessor (clock guard, list meta,
 * lookup by PAN token, history, the pure decision, journal + usage + clock state in one
 * synchronous=FULL commit) on the real SQLite device store, with 1M and 10M benefit entries.
 * Baseline in the same run, same database file: a bare better-sqlite3 primary-key lookup plus
 * one FULL insert. Both are warmed up first (the first commits of a fresh WAL are slower), then
 * blocks alternate so both see the same load. RSS is read in a fresh process that only
 * serves taps (building a 10M list is a separate child process).
 *
 *   npm run bench:decide                 # 1M and 10M (10M takes ~2 min to build, cached in /tmp)
 *   BENCH_DECIDE_SIZES=1000000 npm run bench:decide
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  SqliteClockStateStore,
  SqliteListStore,
  SqliteTapJournal,
  SystemClock,
  TapProcessor,
  bulkLoadSynthetic,
  openDeviceDb,
  syntheticToken,
  validateRules,
  type CardRead,
} from '@rescard/terminal';
import { median, percentile, round } from './bench-stats.js';

const SIZES = (process.env['BENCH_DECIDE_SIZES'] ?? '1000000,10000000').split(',').map(Number);
const TAPS = Number(process.env['BENCH_DECIDE_TAPS'] ?? 4000);
const BLOCK = 250;
const WARMUP = 500;
const CACHE_DIR = join(tmpdir(), 'rescard-bench-decide');

const rules = validateRules({
  profile: 'bus',
  repeatWindowSec: 60,
  categories: {
    VETERAN: { ride: 'FREE' },
    PENSIONER: { ride: 'FREE', quota: { period: 'month', limit: 18 } },
    DISABLED: { ride: 'FREE', companion: { windowMin: 10, maxCompanions: 1 } },
    STUDENT: { ride: 'DISCOUNT', discountPercent: 50 },
    LARGE_FAMILY: { ride: 'DISCOUNT', discountPercent: 30 },
  },
  fares: { r1: { fullKopecks: 4500 } },
  defaultFullKopecks: 5000,
  restricted: { maxRidesPerDayWhenStale: 2 },
});

function dbPath(size: number): string {
  return join(CACHE_DIR, `lists-${size}.db`);
}

/** Child mode: build the list database once (the journal file is made fresh per run). */
function build(size: number): void {
  const db = openDeviceDb(dbPath(size));
  const store = new SqliteListStore(db);
  const now = Date.now();
  const year = 365 * 86_400_000;
  store.replaceList({ list: 'stoplist', version: 1, issuedAtMs: now, expiresAtMs: now + year, count: 0 }, []);
  const r = bulkLoadSynthetic(store, { list: 'benefit', count: size, version: 1, issuedAtMs: now, expiresAtMs: now + year });
  db.checkpoint();
  db.close();
  console.log(`built ${size} entries in ${round(r.elapsedMs / 1000, 1)} s`);
}

function ensureBuilt(size: number): void {
  if (existsSync(dbPath(size))) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  console.log(`building a ${size.toLocaleString('en')}-entry benefit list (once, cached in ${CACHE_DIR}) …`);
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--build', String(size)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building ${size} failed`);
}

function card(i: number): CardRead {
  return { scheme: 'MIR', aid: 'A0000006581010', label: 'MIR', panMasked: '220000******0004', expiry: '2030-12', psn: '00', token: syntheticToken(i), kid: 'dev-1', parToken: null, luhnValid: true, readMs: 0 };
}

function measure(size: number): Record<string, unknown> {
  const db = openDeviceDb(dbPath(size));
  const journal = new SqliteTapJournal(db, { capacityTaps: 10_000_000 });
  const processor = new TapProcessor({
    context: { deviceId: 'bench', profile: 'bus', routeId: 'r1', utcOffsetMinutes: 180 },
    rules,
    lists: new SqliteListStore(db),
    journal,
    clock: new SystemClock(),
    clockState: new SqliteClockStateStore(db),
    clockToleranceMs: 5000,
    atomically: (fn) => db.atomically(fn),
  });
  // Baseline on the same database file (same WAL, same fsync path): a bare primary-key lookup
  // in list_entry plus one synchronous=FULL insert into a scratch table.
  db.db.exec('CREATE TABLE IF NOT EXISTS bench_log (id INTEGER PRIMARY KEY, tap TEXT)');
  const gen = (db.db.prepare("SELECT gen FROM list_meta WHERE list = 'benefit'").get() as { gen: number }).gen;
  const get = db.db.prepare("SELECT category FROM list_entry WHERE list = 'benefit' AND gen = ? AND token = ?");
  const ins = db.db.prepare('INSERT INTO bench_log (tap) VALUES (?)');
  const bareTap = (i: number): void => {
    get.get(gen, Buffer.from(syntheticToken(i), 'base64url'));
    ins.run(JSON.stringify({ i, t: Date.now() }));
  };
  for (let i = 0; i < WARMUP; i += 1) {
    processor.process(card(i));
    bareTap(i);
  }
  db.checkpoint();
  const ours: number[] = [];
  const bare: number[] = [];
  let n = 0;
  while (ours.length < TAPS) {
    for (let k = 0; k < BLOCK; k += 1, n += 1) {
      const i = Math.floor(Math.random() * size * 1.25); // 80% hits, 20% NOT_ENROLLED
      const t0 = performance.now();
      processor.process(card(i));
      ours.push(performance.now() - t0);
    }
    for (let k = 0; k < BLOCK; k += 1) {
      const i = Math.floor(Math.random() * size * 1.25);
      const t0 = performance.now();
      bareTap(i);
      bare.push(performance.now() - t0);
    }
    db.checkpointIfDue();
  }
  const rssMb = round(process.memoryUsage().rss / 1e6, 1);
  db.db.exec('DELETE FROM journal; DELETE FROM usage_event; DROP TABLE bench_log;');
  db.close();
  return {
    entries: size,
    taps: ours.length,
    tapMs: { p50: round(median(ours), 3), p99: round(percentile(ours, 99), 3) },
    baselineMs: { p50: round(median(bare), 3), p99: round(percentile(bare, 99), 3) },
    ratioP50: round(median(ours) / median(bare), 2),
    ratioP99: round(percentile(ours, 99) / percentile(bare, 99), 2),
    rssMb,
  };
}

function main(): void {
  const buildIndex = process.argv.indexOf('--build');
  if (buildIndex > 0) return build(Number(process.argv[buildIndex + 1]));
  const measureIndex = process.argv.indexOf('--measure');
  if (measureIndex > 0) {
    console.log(JSON.stringify(measure(Number(process.argv[measureIndex + 1]))));
    return;
  }
  const results: Record<string, unknown>[] = [];
  for (const size of SIZES) {
    ensureBuilt(size);
    // A fresh process per size: its RSS is what a device serving taps uses.
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', String(size)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`measuring ${size} failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & { tapMs: { p50: number; p99: number }; baselineMs: { p50: number; p99: number } };
    results.push(result);
    console.log(
      `${size.toLocaleString('en')} entries: tap p50 ${result.tapMs.p50} ms p99 ${result.tapMs.p99} ms | baseline p50 ${result.baselineMs.p50} ms p99 ${result.baselineMs.p99} ms | ratio p50 ${String(result['ratioP50'])} p99 ${String(result['ratioP99'])} | RSS ${String(result['rssMb'])} MB`,
    );
  }
  console.log(JSON.stringify({ bench: 'decide', targets: { p99Ms: 2, ratio: 1.5, rssMb: 120 }, results }));
}

main();
