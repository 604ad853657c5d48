import { join } from 'node:path';
import { RescardError, maskPan } from '@rescard/shared';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ListService } from '../lists/index.js';
import { DEFAULT_BENEFIT, DEFAULT_MEAL, type ImportKind } from './import-kinds.js';
import { createImportService, type ImportProgress } from './import-service.js';
import { openRegistryDb } from './registry-db.js';
import {
  KEYRING, TestClock, captureLog, chunks, filesContaining, listService, panToken, readSnapshot, recordTokens, tempDir, testPan,
} from './registry-fixtures.js';

interface Rig {
  dir: string;
  lists: ListService;
  db: Database.Database;
  imports: ReturnType<typeof createImportService>;
  logLines: string[];
  run(kind: ImportKind, csv: string | Buffer, actor?: string): ReturnType<ReturnType<typeof createImportService>['run']>;
  close(): Promise<void>;
}

async function rig(maxBytes = 64 * 1024 * 1024): Promise<Rig> {
  const dir = tempDir();
  const { log, lines } = captureLog();
  const clock = new TestClock();
  const lists = await listService(dir, log, clock);
  const dbPath = join(dir, 'registry', 'registry.db');
  const db = openRegistryDb(dbPath);
  const imports = createImportService({ db, dbPath, lists, clock, log, maxBytes, rules: { keyring: KEYRING, benefit: DEFAULT_BENEFIT, meal: DEFAULT_MEAL } });
  return {
    dir, lists, db, imports, logLines: lines,
    run: (kind, csv, actor = 'op-anna') => imports.run(kind, chunks(csv, 97), { actor }),
    async close() {
      await lists.stop();
      db.close();
    },
  };
}

const P = Array.from({ length: 8 }, (_, i) => testPan(i + 1));
const version = (lists: ListService, list: string, audience: string): number => lists.states().find((s) => s.list === list && s.audience === audience)?.version ?? 0;

const HOLDERS_RU = `\uFEFFНомер карты;Категория;Действует с;Действует по;ФИО
${P[0]};пенсионер;01.01.2025;31.12.2025;Иванов И.И.
"${P[1]?.replace(/(\d{4})(?=\d)/g, '$1 ')}";student;2025-09-01;;"Петрова; Анна"
${P[2]};disabled-1;;;
`;

async function rejected(p: Promise<unknown>): Promise<RescardError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof RescardError)) throw new Error(`expected a RescardError, got ${String(err)}`);
  return err;
}

describe('CSV imports', () => {
  it('a holders file (BOM, ";", Russian headers, DD.MM.YYYY, spaced PAN) goes out as a signed benefit list of tokens, recorded with its SHA-256', async () => {
    const r = await rig();
    const rec = await r.run('holders', HOLDERS_RU);
    expect(rec).toMatchObject({ kind: 'holders', status: 'applied', rows: 3, rowsValid: 3, errorCount: 0, actor: 'op-anna' });
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.versions).toEqual([{ list: 'benefit', audience: 'region', version: 1, changed: true, count: 3 }]);
    const snap = await readSnapshot(r.lists, 'benefit', 'region');
    expect(snap.manifest).toMatchObject({ list: 'benefit', audience: 'region', version: 1, count: 3 });
    expect(recordTokens(snap.records)).toEqual([P[0], P[1], P[2]].map((p) => panToken(p ?? '')).sort());
    const first = snap.records.find((x) => 'token' in x.card && x.card.token === panToken(P[0] ?? ''));
    expect(first).toMatchObject({ category: 'pensioner', validFrom: '2025-01-01', validTo: '2025-12-31' });
    expect(r.imports.get(rec.id)).toMatchObject({ status: 'applied', sha256: rec.sha256 });
    await r.close();
  });

  it('re-importing the same file, or the same content reordered with "," and English headers, makes no new version', async () => {
    const r = await rig();
    await r.run('holders', HOLDERS_RU);
    await r.lists.flush();
    const again = await r.run('holders', HOLDERS_RU);
    expect(again.status).toBe('unchanged');
    expect(again.versions).toEqual([{ list: 'benefit', audience: 'region', version: 1, changed: false, count: 3 }]);
    const reordered = `PAN,category,valid_from,valid_to\n${P[2]},disabled-1,,\n${P[1]},student,2025-09-01,\n${P[0]},pensioner,2025-01-01,2025-12-31\n`;
    expect((await r.run('holders', reordered)).status).toBe('unchanged');
    expect(version(r.lists, 'benefit', 'region')).toBe(1);
    // Snapshot semantics: a holder left out of the next file leaves the list.
    const fewer = `PAN,category\n${P[0]},pensioner\n`;
    const next = await r.run('holders', fewer);
    expect(next).toMatchObject({ status: 'applied', versions: [{ version: 2, changed: true, count: 1 }] });
    expect(recordTokens((await readSnapshot(r.lists, 'benefit', 'region')).records)).toEqual([panToken(P[0] ?? '')]);
    await r.close();
  });

  it('a roster goes out as one list per school it names; a school not in the file keeps its roster', async () => {
    const r = await rig();
    await r.run('roster', `PAN;Школа;Класс;Роль\n${P[0]};S1;5А;ученик\n${P[1]};S1;;сотрудник\n${P[2]};S2;7B;student\n`);
    expect(version(r.lists, 'roster', 'school:S1')).toBe(1);
    expect(version(r.lists, 'roster', 'school:S2')).toBe(1);
    const rec = await r.run('roster', `pan,school,class,role\n${P[3]},S2,8A,student\n`);
    expect(rec.versions).toEqual([{ list: 'roster', audience: 'school:S2', version: 2, changed: true, count: 1 }]);
    expect(version(r.lists, 'roster', 'school:S1')).toBe(1);
    const s1 = await readSnapshot(r.lists, 'roster', 'school:S1');
    expect(s1.records).toContainEqual(expect.objectContaining({ attrs: { schoolId: 'S1', classId: '5А', role: 'student' } }));
    expect(s1.records).toContainEqual(expect.objectContaining({ attrs: { schoolId: 'S1', role: 'staff' } }));
    await r.close();
  });

  it('canteen entitlements carry the meal plan and the daily allowance per school', async () => {
    const r = await rig();
    const rec = await r.run('canteen', `PAN;Школа;Класс;Питание;Лимит в день, коп.\n${P[0]};S1;2А;1-4 классы;15000\n${P[1]};S1;9Б;paid;30000\n`);
    expect(rec.status).toBe('applied');
    const snap = await readSnapshot(r.lists, 'canteen', 'school:S1');
    expect(snap.records).toContainEqual(expect.objectContaining({ category: 'grade-1-4', attrs: { schoolId: 'S1', classId: '2А', dailyAllowanceKopecks: 15000 } }));
    expect(snap.records).toContainEqual(expect.objectContaining({ category: 'paid', attrs: { schoolId: 'S1', classId: '9Б', dailyAllowanceKopecks: 30000 } }));
    await r.close();
  });

  const bad = (luhnBad: string): [string, ImportKind, string | Buffer, number, RegExp][] => [
    ['bad quotes', 'holders', `PAN;category\n${P[0]};"pens"ioner\n${P[1]};student\n`, 2, /closing quote/],
    ['wrong column count', 'holders', `PAN;category\n${P[0]};pensioner;extra\n`, 2, /number of cells/],
    ['a date that is not a calendar date', 'holders', `PAN;category;valid_to\n${P[0]};pensioner;2025-02-30\n`, 2, /valid to "2025-02-30" is not a calendar date/],
    ['valid from after valid to', 'holders', `PAN;category;valid_from;valid_to\n${P[0]};pensioner;2025-03-01;2025-02-01\n`, 2, /after valid to/],
    ['an unknown category', 'holders', `PAN;category\n${P[0]};pensioner\n${P[1]};astronaut\n`, 3, /unknown benefit category "astronaut"/],
    ['a PAN failing Luhn', 'holders', `PAN;category\n${luhnBad};pensioner\n`, 2, new RegExp(`PAN ${maskPan(luhnBad).replaceAll('*', '\\*')} fails the Luhn`)],
    ['a PAN that is not digits', 'holders', `PAN;category\n2200x;pensioner\n`, 2, /PAN must be 12-19 digits/],
    ['the same PAN twice', 'holders', `PAN;category\n${P[0]};pensioner\n${P[1]};student\n${P[0]};student\n`, 4, /same card as line 2/],
    ['an empty file', 'holders', '', 1, /empty/],
    ['a header and no rows', 'holders', 'PAN;category\n', 2, /no rows/],
    ['Windows-1251 bytes', 'holders', Buffer.concat([Buffer.from(`PAN;category\n${P[0]};`), Buffer.from([0xef, 0xe5, 0xed, 0xf1]), Buffer.from('\n')]), 2, /not UTF-8/],
    ['a UTF-16 file', 'holders', Buffer.from(`\uFEFFPAN;category\n${P[0]};pensioner\n`, 'utf16le'), 1, /UTF-16/],
    ['an unknown column', 'roster', `PAN;Школа;Роль;Цвет\n${P[0]};S1;staff;red\n`, 1, /column 4 "Цвет" is not a roster column/],
    ['a missing column', 'roster', `PAN;Школа\n${P[0]};S1\n`, 1, /missing column: "role"/],
    ['a student without a class', 'roster', `PAN;school;role\n${P[0]};S1;student\n`, 2, /class is empty/],
    ['a bad school id', 'canteen', `PAN;school;plan\n${P[0]};школа 1;paid\n`, 2, /not a school id/],
    ['a file without its header line (a PAN is never echoed)', 'holders', `${P[0]};pensioner\n${P[1]};student\n`, 1, /column 1 "\[digits hidden\]" is not a holders column/],
    ['a PAN in the category column', 'holders', `PAN;category\n${P[0]};${P[1]}\n`, 2, /unknown benefit category "\[digits hidden\]"/],
    ['an allowance in rubles with a comma', 'canteen', `PAN;school;plan;daily_allowance_kopecks\n${P[0]};S1;paid;"150,50"\n`, 2, /not a whole number of kopecks/],
  ];

  it.each(bad(`${P[5]?.slice(0, 15) ?? ''}${(Number(P[5]?.slice(15)) + 1) % 10}`))('%s: a line-numbered IMPORT_INVALID and nothing applied', async (_name, kind, csv, line, message) => {
    const r = await rig();
    await r.run('roster', `PAN;school;role\n${P[7]};S1;staff\n`);
    const before = r.lists.states();
    const err = await rejected(r.run(kind, csv));
    expect(err.code).toBe('IMPORT_INVALID');
    const errors = err.details['errors'] as { line: number; message: string }[];
    expect(errors[0]).toMatchObject({ line, message: expect.stringMatching(message) as unknown });
    expect(r.lists.states()).toEqual(before);
    const rec = r.imports.get(String(err.details['importId']));
    expect(rec).toMatchObject({ status: 'rejected', versions: [] });
    expect(JSON.stringify(errors)).not.toMatch(/\d{12,}/); // never a card number, masked at most
    await r.close();
  });

  it('one bad line among three schools changes no school; errors are listed up to 100 and all counted', async () => {
    const r = await rig();
    const rows = Array.from({ length: 150 }, (_, i) => `${testPan(100 + i)};S${i % 3};1A;bogus-role`);
    const err = await rejected(r.run('roster', `PAN;school;class;role\n${P[0]};S0;1A;student\n${P[1]};S1;1A;student\n${rows.join('\n')}\n`));
    expect(err.details['errorCount']).toBe(150);
    expect(err.details['errors']).toHaveLength(100);
    expect((err.details['errors'] as { line: number }[])[0]?.line).toBe(4);
    expect(r.lists.states()).toEqual([]);
    await r.close();
  });

  it('an upload over the size limit is refused with IMPORT_TOO_LARGE and recorded', async () => {
    const r = await rig(200);
    const err = await rejected(r.run('holders', `PAN;category\n${P.map((p) => `${p};pensioner`).join('\n')}\n`));
    expect(err.code).toBe('IMPORT_TOO_LARGE');
    expect(r.imports.recent(1)[0]).toMatchObject({ status: 'rejected' });
    expect(r.lists.states()).toEqual([]);
    await r.close();
  });

  it('reports progress: phases in order and row counts', async () => {
    const r = await rig();
    const seen: ImportProgress[] = [];
    const rows = Array.from({ length: 60_000 }, (_, i) => `${testPan(1000 + i)};pensioner`);
    const rec = await r.imports.run('holders', chunks(`PAN;category\n${rows.join('\n')}\n`, 65536), { actor: 'op', onProgress: (p) => seen.push(p) });
    expect(rec).toMatchObject({ status: 'applied', rows: 60_000 });
    const phases = [...new Set(seen.map((p) => p.phase))];
    expect(phases).toEqual(['parsing', 'comparing', 'applying', 'finished']);
    expect(seen.filter((p) => p.phase === 'parsing').map((p) => p.rowsParsed)).toEqual(expect.arrayContaining([50_000, 60_000]));
    await r.close();
  }, 60_000);

  it('no test PAN is found in registry.db, any file of the data folder, or the logs at trace level', async () => {
    const r = await rig();
    await r.run('holders', HOLDERS_RU);
    await r.run('roster', `PAN;school;class;role\n${P[3]};S1;1A;student\n${P[4]};S1;1A;student\n`);
    await r.run('canteen', `PAN;school;plan\n${P[3]};S1;low-income\n`);
    await rejected(r.run('holders', `PAN;category\n${P[6]};astronaut\n${P[6]};pensioner\n`));
    await r.lists.flush();
    await r.close();
    const needles = P.flatMap((p) => [p, p.replace(/(\d{4})(?=\d)/g, '$1 ')]); // as digits and as written in groups
    expect(filesContaining(r.dir, needles)).toEqual([]);
    expect(r.logLines.length).toBeGreaterThan(0);
    expect(r.logLines.filter((l) => needles.some((n) => l.includes(n)))).toEqual([]);
  });
});
