/**
 * Fast path of parseRecordLine for the writer's exact layout (encodeRecordLine):
 *
 *   snapshot  {"t":"<token>","c":<null|"text">,"f":<null|"date">,"u":<null|"date">,"a":{...}}
 *   delta     {"op":"put", then the same} and {"op":"del","t":"<token>"}
 *
 * A 1M-entry snapshot is 1M lines: JSON.parse and a generic object walk per line were most of a
 * device's parse time. This reads the fixed layout with string compares instead, and runs the
 * same field checks as the general path (list-fields.ts, checkAttrs). It is only a recogniser:
 * it returns null for anything it does not fully accept (another key order, whitespace, an
 * escape, a control character, a bad value...), and the general path then parses the line and
 * raises its error. So it never decides that a line is bad, and a record it returns is the one
 * the general path would return (property-tested against it in canonical-line.test.ts).
 * "a" other than {} is handed to JSON.parse on its own: attributes are few and short.
 */
import { checkAttrs, type ListFileAttrs } from './list-attrs.js';
import { MAX_CATEGORY_CHARS, isCardToken, isLocalDate } from './list-fields.js';
import type { ListFileRecord, PayloadKind } from './list-record.js';

const SNAPSHOT_HEAD = '{"t":"';
const PUT_HEAD = '{"op":"put","t":"';
const DEL_HEAD = '{"op":"del","t":"';
const TOKEN_CHARS = 43;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EMPTY_ATTRS_TAIL = '"a":{}}';
const NOT_ACCEPTED = Symbol('not accepted');

/** Cursor over one line: the value just read and where the next field starts. */
interface Cursor {
  at: number;
}

/** null or a "string" without escapes or control characters (JSON.parse would give the same string). */
function nullOrText(text: string, c: Cursor): string | null | typeof NOT_ACCEPTED {
  if (text.startsWith('null', c.at)) {
    c.at += 4;
    return null;
  }
  if (text.charCodeAt(c.at) !== QUOTE) return NOT_ACCEPTED;
  const end = text.indexOf('"', c.at + 1);
  if (end === -1) return NOT_ACCEPTED;
  for (let i = c.at + 1; i < end; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch < 0x20 || ch === BACKSLASH) return NOT_ACCEPTED;
  }
  const value = text.slice(c.at + 1, end);
  c.at = end + 1;
  return value;
}

/** `"<key>":` (given whole, e.g. '"c":'), null or text, then a comma. */
function field(text: string, c: Cursor, key: string): string | null | typeof NOT_ACCEPTED {
  if (!text.startsWith(key, c.at)) return NOT_ACCEPTED;
  c.at += key.length;
  const value = nullOrText(text, c);
  if (value !== NOT_ACCEPTED && text.charCodeAt(c.at) !== 0x2c /* , */) return NOT_ACCEPTED;
  c.at += 1;
  return value;
}

function attrsAt(text: string, at: number): ListFileAttrs | null {
  if (text.length === at + EMPTY_ATTRS_TAIL.length && text.endsWith(EMPTY_ATTRS_TAIL)) return {};
  if (!text.startsWith('"a":{', at) || !text.endsWith('}}')) return null;
  try {
    return checkAttrs(JSON.parse(text.slice(at + 4, -1)), () => new Error('not accepted'));
  } catch {
    return null;
  }
}

/** The record of a line in the writer's exact layout whose every field is valid; null otherwise. */
export function canonicalRecord(text: string, kind: PayloadKind): ListFileRecord | null {
  let at: number;
  if (kind === 'snapshot') {
    if (!text.startsWith(SNAPSHOT_HEAD)) return null;
    at = SNAPSHOT_HEAD.length;
  } else if (text.startsWith(PUT_HEAD)) {
    at = PUT_HEAD.length;
  } else if (text.startsWith(DEL_HEAD)) {
    const token = text.slice(DEL_HEAD.length, DEL_HEAD.length + TOKEN_CHARS);
    const ok = text.length === DEL_HEAD.length + TOKEN_CHARS + 2 && text.endsWith('"}') && isCardToken(token);
    return ok ? { op: 'del', card: { token } } : null;
  } else {
    return null;
  }
  const token = text.slice(at, at + TOKEN_CHARS);
  if (text.charCodeAt(at + TOKEN_CHARS) !== QUOTE || text.charCodeAt(at + TOKEN_CHARS + 1) !== 0x2c || !isCardToken(token)) return null;
  const c: Cursor = { at: at + TOKEN_CHARS + 2 };
  const category = field(text, c, '"c":');
  if (category === NOT_ACCEPTED || (category !== null && (category.length < 1 || category.length > MAX_CATEGORY_CHARS))) return null;
  const validFrom = field(text, c, '"f":');
  if (validFrom === NOT_ACCEPTED || (validFrom !== null && !isLocalDate(validFrom))) return null;
  const validTo = field(text, c, '"u":');
  if (validTo === NOT_ACCEPTED || (validTo !== null && !isLocalDate(validTo))) return null;
  if (validFrom !== null && validTo !== null && validFrom > validTo) return null;
  const attrs = attrsAt(text, c.at);
  return attrs === null ? null : { op: 'put', card: { token }, category, validFrom, validTo, attrs };
}
