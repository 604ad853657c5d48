/**
 * The columns of the three import kinds (docs/imports.md): Russian or English header names,
 * compared after normalisation (case, ё/е, spaces and punctuation do not matter), so
 * "Номер карты", "номер_карты" and "PAN" all name the card column.
 */
import { quoteCell } from './csv-values.js';
import type { ImportKind } from './import-kinds.js';

export type Field = 'pan' | 'par' | 'category' | 'validFrom' | 'validTo' | 'school' | 'class' | 'role' | 'allowanceKopecks';

const ALIASES: Readonly<Record<Field, readonly string[]>> = {
  pan: ['pan', 'номер карты', 'карта', 'card', 'card number'],
  par: ['par', 'payment account reference'],
  category: ['category', 'категория', 'льгота', 'plan', 'meal plan', 'питание', 'категория питания'],
  validFrom: ['valid from', 'действует с', 'дата начала', 'from'],
  validTo: ['valid to', 'действует по', 'дата окончания', 'to'],
  school: ['school', 'school id', 'школа', 'код школы'],
  class: ['class', 'класс'],
  role: ['role', 'роль'],
  allowanceKopecks: ['daily allowance kopecks', 'allowance kopecks', 'лимит в день коп', 'дневной лимит коп'],
};

/** Columns a registry export may carry that the import reads past (never stored). */
const IGNORED = ['фио', 'name', 'full name', 'комментарий', 'примечание', 'comment', 'note', '№', 'no', 'n'].map(normaliseHeader);

interface KindColumns {
  readonly allowed: readonly Field[];
  /** Each inner list: at least one of these columns must be present. */
  readonly required: readonly (readonly Field[])[];
}

export const KIND_COLUMNS: Readonly<Record<ImportKind, KindColumns>> = {
  holders: { allowed: ['pan', 'par', 'category', 'validFrom', 'validTo'], required: [['pan', 'par'], ['category']] },
  roster: { allowed: ['pan', 'par', 'school', 'class', 'role', 'validFrom', 'validTo'], required: [['pan', 'par'], ['school'], ['role']] },
  canteen: { allowed: ['pan', 'par', 'school', 'class', 'category', 'allowanceKopecks', 'validFrom', 'validTo'], required: [['pan', 'par'], ['school'], ['category']] },
};

export function normaliseHeader(name: string): string {
  return name.toLowerCase().replaceAll('ё', 'е').replace(/[^\p{L}\p{N}№]+/gu, ' ').trim();
}

const BY_NAME = new Map<string, Field>();
for (const [field, names] of Object.entries(ALIASES) as [Field, readonly string[]][]) {
  for (const n of names) BY_NAME.set(normaliseHeader(n), field);
}

export type HeaderResult = { ok: true; columns: readonly (Field | null)[] } | { ok: false; problems: string[] };

/** Map a header record to fields (null: a column read past); problems name each bad column. */
export function mapHeader(kind: ImportKind, header: readonly string[]): HeaderResult {
  const spec = KIND_COLUMNS[kind];
  const problems: string[] = [];
  const seen = new Set<Field>();
  const columns = header.map((raw, i) => {
    const name = normaliseHeader(raw);
    const field = BY_NAME.get(name);
    if (field === undefined || !spec.allowed.includes(field)) {
      if (!IGNORED.includes(name)) problems.push(`column ${i + 1} ${quoteCell(raw)} is not a ${kind} column (accepted: ${acceptedNames(kind)})`);
      return null;
    }
    if (seen.has(field)) problems.push(`column ${i + 1} ${quoteCell(raw)} repeats the ${field} column`);
    seen.add(field);
    return field;
  });
  for (const group of spec.required) {
    if (!group.some((f) => seen.has(f))) problems.push(`missing column: ${group.map((f) => `"${ALIASES[f][0] ?? f}"`).join(' or ')}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, columns };
}

/** How many header cells name a known column (to choose between `;` and `,`). */
export function knownColumnCount(header: readonly string[]): number {
  return header.filter((h) => BY_NAME.has(normaliseHeader(h))).length;
}

function acceptedNames(kind: ImportKind): string {
  return KIND_COLUMNS[kind].allowed.map((f) => ALIASES[f].slice(0, 2).join('/')).join(', ');
}
