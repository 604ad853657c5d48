/**
 * Cell parsers of the imports: each returns the value or throws a CellProblem whose message
 * names the rule (and a masked PAN at most: a card number is never echoed).
 */
import { luhnValid, maskPan, normalisePan, normalisePar, type TokenKeyring } from '@rescard/shared';

export class CellProblem extends Error {
  override readonly name = 'CellProblem';
}

/** 12 or more digits, maybe grouped by spaces or dashes: possibly a card number. */
const CARD_NUMBER_LIKE = /\d(?:[\s-]?\d){11,}/g;

/**
 * A cell's text for an error message: at most `max` characters, with anything that could be a
 * card number (a PAN in the wrong column, a file without its header line) hidden.
 */
export function quoteCell(raw: string, max = 40): string {
  return `"${raw.slice(0, 64).replace(CARD_NUMBER_LIKE, '[digits hidden]').slice(0, max)}"`;
}

export interface CardCell {
  readonly token: string;
  /** First 6 and last 4 digits of a PAN; null for a PAR. */
  readonly panMasked: string | null;
}

/** A PAN (12-19 digits, spaces and dashes allowed, Luhn-checked) → its token; the PAN goes no further. */
export function panCell(raw: string, keyring: TokenKeyring): CardCell {
  let digits: string;
  try {
    digits = normalisePan(raw);
  } catch {
    throw new CellProblem(`PAN must be 12-19 digits (spaces and dashes allowed), got ${raw.replace(/[\s-]/g, '').length} characters`);
  }
  const panMasked = maskPan(digits);
  if (!luhnValid(digits)) throw new CellProblem(`PAN ${panMasked} fails the Luhn check digit (a typing error?)`);
  return { token: keyring.panToken(digits).token, panMasked };
}

export function parCell(raw: string, keyring: TokenKeyring): CardCell {
  let par: string;
  try {
    par = normalisePar(raw);
  } catch {
    throw new CellProblem(`PAR must be 29 letters and digits, got ${raw.trim().length} characters`);
  }
  return { token: keyring.parToken(par).token, panMasked: null };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const RU = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** Dates already checked (a registry repeats a few hundred dates a million times). Bounded. */
const dateMemo = new Map<string, string>();
const DATE_MEMO_MAX = 4096;

/** YYYY-MM-DD or DD.MM.YYYY (calendar-checked) → YYYY-MM-DD. */
export function dateCell(raw: string, field: string): string {
  const known = dateMemo.get(raw);
  if (known !== undefined) return known;
  const out = checkDate(raw, field);
  if (dateMemo.size < DATE_MEMO_MAX) dateMemo.set(raw, out);
  return out;
}

function checkDate(raw: string, field: string): string {
  const iso = ISO.exec(raw);
  const ru = iso === null ? RU.exec(raw) : null;
  const [y, m, d] = iso !== null ? [iso[1], iso[2], iso[3]] : ru !== null ? [ru[3], ru[2], ru[1]] : [];
  if (y === undefined || m === undefined || d === undefined) throw new CellProblem(`${field} ${quoteCell(raw, 20)} is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const out = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (Number(y) < 1900 || date.toISOString().slice(0, 10) !== out) throw new CellProblem(`${field} ${quoteCell(raw, 20)} is not a calendar date`);
  return out;
}

/** A category from a fixed set (case-insensitive; aliases such as Russian names map to codes). */
export function categoryCell(raw: string, allowed: ReadonlySet<string>, aliases: ReadonlyMap<string, string>, what: string): string {
  const key = raw.trim().toLowerCase().replaceAll('ё', 'е');
  const code = aliases.get(key) ?? key;
  if (!allowed.has(code)) throw new CellProblem(`unknown ${what} ${quoteCell(raw)} (known: ${[...allowed].join(', ')})`);
  return code;
}

const SCHOOL = /^[A-Za-z0-9._-]{1,64}$/;

export function schoolCell(raw: string): string {
  if (!SCHOOL.test(raw)) throw new CellProblem(`school ${quoteCell(raw)} is not a school id (1-64 of A-Z a-z 0-9 . _ -)`);
  return raw;
}

export function classCell(raw: string): string {
  if (raw.length > 64) throw new CellProblem('class is longer than 64 characters');
  return raw;
}

const ROLES: ReadonlyMap<string, 'student' | 'staff'> = new Map([
  ['student', 'student'], ['ученик', 'student'], ['учащийся', 'student'], ['ученица', 'student'],
  ['staff', 'staff'], ['сотрудник', 'staff'], ['учитель', 'staff'], ['персонал', 'staff'],
]);

export function roleCell(raw: string): 'student' | 'staff' {
  const role = ROLES.get(raw.trim().toLowerCase());
  if (role === undefined) throw new CellProblem(`role ${quoteCell(raw, 20)} is not ученик/сотрудник (student/staff)`);
  return role;
}

/** Up to 10,000,000 kopecks (100,000 rubles) a day: anything above is a units mistake. */
export const MAX_ALLOWANCE_KOPECKS = 10_000_000;

export function kopecksCell(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new CellProblem(`daily allowance ${quoteCell(raw, 20)} is not a whole number of kopecks`);
  const n = Number(raw);
  if (n > MAX_ALLOWANCE_KOPECKS) throw new CellProblem(`daily allowance ${n} kopecks is above ${MAX_ALLOWANCE_KOPECKS} (rubles given instead of kopecks?)`);
  return n;
}
