/**
 * Import benchmark (a script, not a test): a holders file of N rows (default 1,000,000) through
 * the real import path (csv-parse, tokenising, staging, the list service's setEntries on a temp
 * data folder, the signed snapshot build), then the same file again (unchanged: no new version).
 * Prints one JSON line per run with the timings, the phases' start times, and the CPU time the
 * import used (on a shared machine the wall time is the CPU time stretched by the other load).
 *
 *   npx tsc -b && node server/dist/registry/import-bench.js [rows]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenKeyring, generateListSigningKey } from '@rescard/shared';
import { pino } from 'pino';
import { createListService } from '../lists/index.js';
import { DEFAULT_BENEFIT, DEFAULT_MEAL } from './import-kinds.js';
import { createImportService, type ImportPhase } from './import-service.js';
import { openRegistryDb } from './registry-db.js';

const rows = Number(process.argv[2] ?? 1_000_000);

function luhn(body: string): string {
  let sum = 0;
  for (let k = 0; k < body.length; k += 1) {
    let d = body.charCodeAt(body.length - 1 - k) - 48;
    if (k % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function* csv(): Generator<Buffer> {
  yield Buffer.from('\uFEFFНомер карты;Категория;Действует с;Действует по\n');
  const cats = ['pensioner', 'student', 'disabled-1', 'veteran'];
  let buf = '';
  for (let i = 0; i < rows; i += 1) {
    buf += `${luhn(`22007${String(i).padStart(10, '0')}`)};${cats[i % 4] ?? ''};01.01.2025;31.12.2025\n`;
    if (buf.length >= 64 * 1024) {
      yield Buffer.from(buf);
      buf = '';
    }
  }
  yield Buffer.from(buf);
}

const dir = mkdtempSync(join(tmpdir(), 'rescard-import-bench-'));
const log = pino({ level: 'warn' });
try {
  const key = generateListSigningKey('bench');
  const lists = await createListService({ dataDir: dir, signer: key.signer, publish: () => Promise.resolve(), clock: { wallMs: () => Date.now() }, log });
  const dbPath = join(dir, 'registry', 'registry.db');
  const db = openRegistryDb(dbPath);
  const keyring = TokenKeyring.fromConfig({ primaryKid: 'bench', keys: [{ kid: 'bench', keyHex: 'a5'.repeat(16) + '5a'.repeat(16) }] });
  const imports = createImportService({ db, dbPath, lists, clock: { wallMs: () => Date.now() }, log, maxBytes: 2 ** 31, rules: { keyring, benefit: DEFAULT_BENEFIT, meal: DEFAULT_MEAL } });
  for (const run of ['first', 'again']) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const phases: Partial<Record<ImportPhase, number>> = {};
    let last: ImportPhase | null = null;
    const rec = await imports.run('holders', csv(), {
      actor: 'bench',
      onProgress: (p) => {
        if (p.phase !== last) {
          phases[p.phase] = Math.round(performance.now() - t0);
          last = p.phase;
        }
      },
    });
    const importMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await lists.flush();
    const publishedMs = performance.now() - t0;
    process.stdout.write(`${JSON.stringify({
      run, rows: rec.rows, status: rec.status, versions: rec.versions.map((v) => v.version), sizeBytes: rec.sizeBytes,
      importMs: Math.round(importMs), importCpuMs: Math.round((cpu.user + cpu.system) / 1000), phaseStartsMs: phases, withSignedSnapshotMs: Math.round(publishedMs),
      rowsPerSecond: Math.round(rec.rows / (importMs / 1000)), heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    })}\n`);
  }
  await lists.stop();
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
