/**
 * bench:import — a 1M-row benefit-holders CSV through the real import path (csv-parse, line-by-
 * line validation, tokenising, staging in registry.db, the list service's setEntries, the signed
 * snapshot build) on a fresh data folder; then the same file again (unchanged: no new version).
 *
 *   baseline: the least any importer does with the same file, in this process: csv-parse it
 *             (same parser, same options) and, per row, check the Luhn digit and compute the card
 *             token (HMAC-SHA-256). No validation of the other cells, no storage.
 * Figures: medians over runs of the import (until answered), the signed snapshot on disk, the
 * re-import, the baseline, and import ÷ baseline. Target (issue 5): well under a minute for 1M.
 *
 *   node scripts/dist/bench-import.js [--rows 1000000] [--runs 1]
 * Readable lines, then one JSON line.
 */
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { generateListSigningKey, luhnValid, TokenKeyring } from '@rescard/shared';
import { createImportService, createListService, DEFAULT_BENEFIT, DEFAULT_MEAL, openRegistryDb } from '@rescard/server';
import { pino } from 'pino';
import { median, round } from './bench-stats.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROWS = arg('rows', 1_000_000);
const RUNS = arg('runs', 1);
const KEYRING = TokenKeyring.fromConfig({ primaryKid: 'bench', keys: [{ kid: 'bench', keyHex: 'a5'.repeat(16) + '5a'.repeat(16) }] });

/** `body` plus the check digit that makes it pass shared's Luhn check. */
function luhnComplete(body: string): string {
  for (let d = 0; d < 10; d += 1) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error(`no Luhn digit for ${body}`);
}

function writeCsv(path: string): void {
  const cats = ['пенсионер', 'student', 'disabled-1', 'veteran'];
  const lines = ['\uFEFFНомер карты;Категория;Действует с;Действует по'];
  for (let i = 0; i < ROWS; i += 1) lines.push(`${luhnComplete(`22007${String(i).padStart(10, '0')}`)};${cats[i % 4] ?? ''};01.01.2026;31.12.2026`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function baseline(path: string): Promise<number> {
  const t0 = performance.now();
  let rows = 0;
  const parser = createReadStream(path).pipe(parse({ delimiter: ';', bom: true, skip_empty_lines: true, from_line: 2 }));
  for await (const record of parser as AsyncIterable<string[]>) {
    const pan = record[0] ?? '';
    if (luhnValid(pan)) KEYRING.panToken(pan);
    rows += 1;
  }
  if (rows !== ROWS) throw new Error(`baseline read ${rows} rows, expected ${ROWS}`);
  return performance.now() - t0;
}

interface ImportRun {
  importMs: number;
  cpuMs: number;
  snapshotMs: number;
  againMs: number;
  status: string;
  againStatus: string;
}

async function importRun(path: string): Promise<ImportRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-bench-import-'));
  const log = pino({ level: 'warn' });
  try {
    const key = generateListSigningKey('bench');
    const lists = await createListService({ dataDir: dir, signer: key.signer, publish: () => Promise.resolve(), clock: { wallMs: () => Date.now() }, log });
    const dbPath = join(dir, 'registry', 'registry.db');
    const db = openRegistryDb(dbPath);
    const imports = createImportService({ db, dbPath, lists, clock: { wallMs: () => Date.now() }, log, maxBytes: 2 ** 31, rules: { keyring: KEYRING, benefit: DEFAULT_BENEFIT, meal: DEFAULT_MEAL } });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const first = await imports.run('holders', createReadStream(path), { actor: 'bench' });
    const importMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await lists.flush();
    const snapshotMs = performance.now() - t0;
    const t1 = performance.now();
    const again = await imports.run('holders', createReadStream(path), { actor: 'bench' });
    const againMs = performance.now() - t1;
    if (first.rows !== ROWS || first.status !== 'applied' || again.status !== 'unchanged') throw new Error(`unexpected: ${first.status} ${first.rows}, then ${again.status}`);
    await lists.stop();
    db.close();
    return { importMs, cpuMs: (cpu.user + cpu.system) / 1000, snapshotMs, againMs, status: first.status, againStatus: again.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const work = mkdtempSync(join(tmpdir(), 'rescard-bench-import-csv-'));
try {
  const file = join(work, 'holders.csv');
  writeCsv(file);
  const bytes = statSync(file).size;
  console.log(`bench:import — ${ROWS.toLocaleString('en')} holders (${round(bytes / 2 ** 20, 1)} MiB), ${RUNS} run(s)`);
  const runs: ImportRun[] = [];
  const bases: number[] = [];
  for (let r = 0; r < RUNS; r += 1) {
    bases.push(await baseline(file));
    runs.push(await importRun(file));
    const last = runs.at(-1)!;
    console.log(`  run ${r + 1}: import ${round(last.importMs / 1000, 1)} s (CPU ${round(last.cpuMs / 1000, 1)} s), signed snapshot on disk at ${round(last.snapshotMs / 1000, 1)} s, re-import ${round(last.againMs / 1000, 1)} s (${last.againStatus}); baseline (parse + Luhn + token) ${round(bases.at(-1)! / 1000, 1)} s`);
  }
  const importMs = median(runs.map((r) => r.importMs));
  const baselineMs = median(bases);
  const figures = {
    bench: 'import', rows: ROWS, bytes, runs: RUNS,
    importMsMedian: Math.round(importMs), importCpuMsMedian: Math.round(median(runs.map((r) => r.cpuMs))),
    snapshotOnDiskMsMedian: Math.round(median(runs.map((r) => r.snapshotMs))), reimportMsMedian: Math.round(median(runs.map((r) => r.againMs))),
    rowsPerSecond: Math.round(ROWS / (importMs / 1000)),
    baseline: { what: 'csv-parse + Luhn + HMAC token per row, same file, same process', msMedian: Math.round(baselineMs) },
    ratioToBaseline: round(importMs / baselineMs, 2), targetMs: 60_000,
  };
  console.log(`median: import ${round(importMs / 1000, 1)} s = ${figures.ratioToBaseline}× the baseline (${round(baselineMs / 1000, 1)} s); ${figures.rowsPerSecond.toLocaleString('en')} rows/s`);
  console.log(JSON.stringify(figures));
} finally {
  rmSync(work, { recursive: true, force: true });
}
