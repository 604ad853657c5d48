/**
 * The three import kinds: how a validated CSV row becomes one list entry (docs/imports.md).
 *
 *   holders  → benefit list, audience "region"        category, valid from/to
 *   roster   → roster list, audience "school:<id>"     schoolId, classId, role (+ validity)
 *   canteen  → canteen list, audience "school:<id>"    meal plan (category), schoolId, classId,
 *                                                      dailyAllowanceKopecks (+ validity)
 */
import type { ListFileAttrs, ListFileListName, TokenKeyring } from '@rescard/shared';
import type { Field } from './csv-columns.js';
import { CellProblem, categoryCell, classCell, dateCell, kopecksCell, panCell, parCell, roleCell, schoolCell, type CardCell } from './csv-values.js';

export const IMPORT_KINDS = ['holders', 'roster', 'canteen'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const KIND_LIST: Readonly<Record<ImportKind, ListFileListName>> = { holders: 'benefit', roster: 'roster', canteen: 'canteen' };

export interface Categories {
  readonly allowed: ReadonlySet<string>;
  readonly aliases: ReadonlyMap<string, string>;
}

export interface KindRules {
  readonly keyring: TokenKeyring;
  readonly benefit: Categories;
  readonly meal: Categories;
}

export interface StagedRow {
  readonly list: ListFileListName;
  readonly audience: string;
  readonly card: CardCell;
  readonly category: string | null;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly attrs: ListFileAttrs;
}

export type Cells = Partial<Record<Field, string>>;

function card(cells: Cells, rules: KindRules): CardCell {
  const pan = cells.pan ?? '';
  const par = cells.par ?? '';
  if (pan !== '' && par !== '') throw new CellProblem('give either a PAN or a PAR, not both');
  if (pan !== '') return panCell(pan, rules.keyring);
  if (par !== '') return parCell(par, rules.keyring);
  throw new CellProblem('the card is missing (PAN or PAR)');
}

function validity(cells: Cells): { validFrom: string | null; validTo: string | null } {
  const validFrom = cells.validFrom ? dateCell(cells.validFrom, 'valid from') : null;
  const validTo = cells.validTo ? dateCell(cells.validTo, 'valid to') : null;
  if (validFrom !== null && validTo !== null && validFrom > validTo) throw new CellProblem(`valid from ${validFrom} is after valid to ${validTo}`);
  return { validFrom, validTo };
}

function required(cells: Cells, field: Field, name: string): string {
  const v = cells[field];
  if (v === undefined || v === '') throw new CellProblem(`${name} is empty`);
  return v;
}

/** One row (trimmed cells by field) → one entry; throws CellProblem naming the first broken rule. */
export function rowToEntry(kind: ImportKind, cells: Cells, rules: KindRules): StagedRow {
  const c = card(cells, rules);
  const dates = validity(cells);
  if (kind === 'holders') {
    const category = categoryCell(required(cells, 'category', 'category'), rules.benefit.allowed, rules.benefit.aliases, 'benefit category');
    return { list: 'benefit', audience: 'region', card: c, category, ...dates, attrs: {} };
  }
  const schoolId = schoolCell(required(cells, 'school', 'school'));
  const classId = cells.class ? classCell(cells.class) : undefined;
  if (kind === 'roster') {
    const role = roleCell(required(cells, 'role', 'role'));
    if (role === 'student' && classId === undefined) throw new CellProblem('class is empty (required for a student)');
    return { list: 'roster', audience: `school:${schoolId}`, card: c, category: null, ...dates, attrs: { schoolId, ...(classId ? { classId } : {}), role } };
  }
  const category = categoryCell(required(cells, 'category', 'meal plan'), rules.meal.allowed, rules.meal.aliases, 'meal plan');
  const allowance = cells.allowanceKopecks ? kopecksCell(cells.allowanceKopecks) : undefined;
  return {
    list: 'canteen', audience: `school:${schoolId}`, card: c, category, ...dates,
    attrs: { schoolId, ...(classId ? { classId } : {}), ...(allowance === undefined ? {} : { dailyAllowanceKopecks: allowance }) },
  };
}

/** Defaults: the categories of the example device rules (terminal/examples); the plugin takes others. */
export const DEFAULT_BENEFIT: Categories = {
  allowed: new Set(['pensioner', 'student', 'disabled-1', 'disabled-2', 'disabled-3', 'veteran', 'large-family']),
  aliases: new Map([
    ['пенсионер', 'pensioner'], ['студент', 'student'], ['учащийся', 'student'], ['ветеран', 'veteran'], ['многодетные', 'large-family'],
    ['инвалид 1 группы', 'disabled-1'], ['инвалид 2 группы', 'disabled-2'], ['инвалид 3 группы', 'disabled-3'],
  ]),
};

export const DEFAULT_MEAL: Categories = {
  allowed: new Set(['low-income', 'grade-1-4', 'paid']),
  aliases: new Map([['малоимущие', 'low-income'], ['1-4 классы', 'grade-1-4'], ['платное', 'paid'], ['платно', 'paid']]),
};

export function categories(codes: readonly string[], aliases: Readonly<Record<string, string>> = {}): Categories {
  return { allowed: new Set(codes), aliases: new Map(Object.entries(aliases).map(([k, v]) => [k.toLowerCase().replaceAll('ё', 'е'), v])) };
}
