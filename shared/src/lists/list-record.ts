/**
 * One payload line of a list file: a snapshot entry, or a delta's put / del.
 *
 *   snapshot  {"t":"<token>","c":"VETERAN","f":"2025-01-01","u":null,"a":{}}
 *   delta     {"op":"put","t":"<token>","c":null,"f":null,"u":null,"a":{"reason":"LOST"}}
 *             {"op":"del","t":"<token>"}
 *
 * c (category), f (valid from), u (valid until) and a (attributes) may be left out: null, null,
 * null, {}. The writer always writes them. Dev-mode files may name the card by "pan" or "par"
 * instead of "t"; signed files carry tokens only. Error messages name the line and the field,
 * never the line's content (a dev line may hold a PAN).
 */
import { RescardError } from '../errors.js';
import { normalisePan } from '../pan.js';
import { normalisePar } from '../token.js';
import { checkAttrs, type ListFileAttrs } from './list-attrs.js';
import { canonicalRecord } from './canonical-line.js';
import { MAX_CATEGORY_CHARS, isCardToken, isLocalDate } from './list-fields.js';

export { isCardToken, isLocalDate } from './list-fields.js';

export type { ListFileAttrs } from './list-attrs.js';

/** How a line names the card: a token, or (dev mode only) a PAN or PAR to be tokenised at once. */
export type CardRef = { readonly token: string } | { readonly pan: string } | { readonly par: string };

export interface ListFilePut {
  readonly op: 'put';
  readonly card: CardRef;
  readonly category: string | null;
  /** Inclusive local dates YYYY-MM-DD; null = open. */
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly attrs: ListFileAttrs;
}

export interface ListFileDel {
  readonly op: 'del';
  readonly card: CardRef;
}

export type ListFileRecord = ListFilePut | ListFileDel;
export type PayloadKind = 'snapshot' | 'delta';

export interface RecordContext {
  readonly kind: PayloadKind;
  readonly dev: boolean;
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
}

const PUT_KEYS: ReadonlySet<string> = new Set(['op', 't', 'pan', 'par', 'c', 'f', 'u', 'a']);
const DEL_KEYS: ReadonlySet<string> = new Set(['op', 't', 'pan', 'par']);

export function lineError(line: number, problem: string, field: string | null = null): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list file line ${line}: ${problem}`, { reason: 'line', line, field });
}

function parseCard(o: Record<string, unknown>, ctx: RecordContext): CardRef {
  const named = (['t', 'pan', 'par'] as const).filter((k) => Object.hasOwn(o, k));
  const key = named[0];
  if (named.length !== 1 || key === undefined) throw lineError(ctx.line, 'needs exactly one of "t" (token), "pan" or "par"', 't');
  const value = o[key];
  if (key === 't') {
    if (!isCardToken(value)) throw lineError(ctx.line, '"t" must be a 43-character base64url card token', 't');
    return { token: value };
  }
  if (!ctx.dev) throw lineError(ctx.line, `"${key}" is allowed only in dev-mode files; signed lists carry tokens`, key);
  if (typeof value !== 'string') throw lineError(ctx.line, `"${key}" must be a string`, key);
  try {
    return key === 'pan' ? { pan: normalisePan(value) } : { par: normalisePar(value) };
  } catch {
    // The rejected value is never echoed: it may be a PAN.
    const rule = key === 'pan' ? '12 to 19 decimal digits' : '29 letters and digits';
    throw lineError(ctx.line, `"${key}" must be ${rule}`, key);
  }
}

function optionalText(o: Record<string, unknown>, key: 'c' | 'f' | 'u', ctx: RecordContext): string | null {
  const v = o[key] ?? null;
  if (v === null) return null;
  if (key === 'c' && typeof v === 'string' && v.length >= 1 && v.length <= MAX_CATEGORY_CHARS) return v;
  if (key !== 'c' && typeof v === 'string' && isLocalDate(v)) return v;
  const rule = key === 'c' ? `null or a string of 1-${MAX_CATEGORY_CHARS} characters` : 'null or a date YYYY-MM-DD';
  throw lineError(ctx.line, `"${key}" must be ${rule}`, key);
}

/** Parse and validate one payload line (without its newline). Throws LIST_FILE_INVALID naming the line. */
export function parseRecordLine(text: string, ctx: RecordContext): ListFileRecord {
  // The writer's exact layout is recognised without JSON.parse; anything else (and every error) takes the general path.
  return canonicalRecord(text, ctx.kind) ?? parseRecordLineGeneral(text, ctx);
}

/** parseRecordLine without the fast path: JSON.parse, then every key and field checked. */
export function parseRecordLineGeneral(text: string, ctx: RecordContext): ListFileRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw lineError(ctx.line, 'is not valid JSON'); // no cause: the parser's message quotes the line
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw lineError(ctx.line, 'must be a JSON object');
  const o = value as Record<string, unknown>;
  const op = o['op'];
  if (ctx.kind === 'snapshot' ? Object.hasOwn(o, 'op') : op !== 'put' && op !== 'del') {
    throw lineError(ctx.line, ctx.kind === 'snapshot' ? 'a snapshot line has no "op"' : '"op" must be "put" or "del"', 'op');
  }
  const allowed = op === 'del' ? DEL_KEYS : PUT_KEYS;
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) throw lineError(ctx.line, `"${key}" is not a field of a ${op === 'del' ? 'del' : 'put'} line`, key);
  }
  const card = parseCard(o, ctx);
  if (op === 'del') return { op: 'del', card };
  const validFrom = optionalText(o, 'f', ctx);
  const validTo = optionalText(o, 'u', ctx);
  if (validFrom !== null && validTo !== null && validFrom > validTo) throw lineError(ctx.line, '"f" is after "u"', 'f');
  const attrs = checkAttrs(o['a'] ?? {}, (field, rule) =>
    field === 'a' ? lineError(ctx.line, `"a" ${rule}`, 'a') : lineError(ctx.line, `attribute "${field}" ${rule}`, `a.${field}`));
  return { op: 'put', card, category: optionalText(o, 'c', ctx), validFrom, validTo, attrs };
}

/** One payload line (no newline) for `record`, fields in the documented order. */
export function encodeRecordLine(record: ListFileRecord, kind: PayloadKind): string {
  const card = 'token' in record.card ? { t: record.card.token } : 'pan' in record.card ? { pan: record.card.pan } : { par: record.card.par };
  if (record.op === 'del') return JSON.stringify({ op: 'del', ...card });
  const fields = { ...card, c: record.category, f: record.validFrom, u: record.validTo, a: record.attrs };
  return JSON.stringify(kind === 'snapshot' ? fields : { op: 'put', ...fields });
}
