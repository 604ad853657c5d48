import { join } from 'node:path';
import { RescardError } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BENEFIT, DEFAULT_MEAL, IMPORT_KINDS, type ImportKind } from './import-kinds.js';
import { createImportService } from './import-service.js';
import { openRegistryDb } from './registry-db.js';
import { KEYRING, TestClock, captureLog, chunks, listService, tempDir, testPan } from './registry-fixtures.js';

/** mulberry32: a seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const P = Array.from({ length: 6 }, (_, i) => testPan(500 + i));
const BASE: Record<ImportKind, string> = {
  holders: `\uFEFFНомер карты;Категория;Действует с;Действует по\n${P.map((p, i) => `${p};${i % 2 ? 'student' : 'пенсионер'};01.01.2025;"2025-12-31"`).join('\n')}\n`,
  roster: `PAN,school,class,role\n${P.map((p, i) => `${p},S${i % 2},"5${i}А",${i % 3 ? 'ученик' : 'staff'}`).join('\n')}\n`,
  canteen: `PAN;Школа;Класс;Питание;Лимит в день, коп.\n${P.map((p, i) => `${p};S1;${i}Б;paid;${i * 1000}`).join('\n')}\n`,
};
const INSERTS = [';', ',', '"', '\n', '\r\n', '""', ' ', '\uFEFF', 'é', '0', '9', '-', '\t', '.'].map((s) => Buffer.from(s));

function mutate(base: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(base);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k += 1) {
    const at = Math.floor(rnd() * (b.length + 1));
    const op = Math.floor(rnd() * 6);
    if (op === 0 && b.length > 0) b[Math.min(at, b.length - 1)] = Math.floor(rnd() * 256);
    else if (op === 1) b = Buffer.concat([b.subarray(0, at), INSERTS[Math.floor(rnd() * INSERTS.length)] ?? Buffer.alloc(0), b.subarray(at)]);
    else if (op === 2) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rnd() * 20)))]);
    else if (op === 3) b = b.subarray(0, at);
    else if (op === 4) {
      const nl = b.indexOf(0x0a, at);
      b = nl < 0 ? b : Buffer.concat([b, b.subarray(at, nl + 1)]); // a line (or its tail) again
    } else b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256))), b.subarray(at)]);
  }
  return b;
}

describe('CSV import fuzz', () => {
  it('random and mutated files never crash: each import is applied/unchanged or refused with a coded, line-numbered, PAN-free error', async () => {
    const dir = tempDir();
    const { log } = captureLog();
    const lists = await listService(dir, log);
    const dbPath = join(dir, 'registry', 'registry.db');
    const db = openRegistryDb(dbPath);
    const imports = createImportService({ db, dbPath, lists, clock: new TestClock(), log, maxBytes: 4096, rules: { keyring: KEYRING, benefit: DEFAULT_BENEFIT, meal: DEFAULT_MEAL } });
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= 300; seed += 1) {
      const rnd = prng(seed);
      const kind = IMPORT_KINDS[seed % 3] ?? 'holders';
      const input = seed % 10 === 0
        ? Buffer.from(Array.from({ length: Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256)))
        : mutate(Buffer.from(BASE[kind]), rnd);
      const outcome = await imports.run(kind, chunks(input, 1 + Math.floor(rnd() * 200)), { actor: 'fuzz' }).then(
        (rec) => rec.status,
        (err: unknown) => {
          if (!(err instanceof RescardError)) throw new Error(`seed ${seed}: not a RescardError: ${String(err)}`);
          expect(['IMPORT_INVALID', 'IMPORT_TOO_LARGE'], `seed ${seed}`).toContain(err.code);
          for (const e of (err.details['errors'] as { line: number; message: string }[] | undefined) ?? []) {
            expect(Number.isInteger(e.line) && e.line >= 1, `seed ${seed}`).toBe(true);
            expect(e.message, `seed ${seed}`).not.toMatch(/\d{12,}/);
          }
          return err.code;
        },
      );
      expect(['applied', 'unchanged', 'IMPORT_INVALID', 'IMPORT_TOO_LARGE'], `seed ${seed}`).toContain(outcome);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // The mutations reach both sides: some files still import, most are refused.
    expect(outcomes.get('IMPORT_INVALID') ?? 0).toBeGreaterThan(100);
    expect((outcomes.get('applied') ?? 0) + (outcomes.get('unchanged') ?? 0)).toBeGreaterThanOrEqual(3);
    expect(imports.recent(1000).filter((r) => r.status === 'running' || r.status === 'failed')).toEqual([]);
    await lists.stop();
    db.close();
  }, 120_000);
});
