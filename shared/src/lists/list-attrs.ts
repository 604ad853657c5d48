/**
 * Entry attributes ("a" on a payload line): the fields the terminal's decisions read, each with
 * its type checked. Format 1 knows exactly these; an unknown attribute is refused (a new one is a
 * new format version, so an old terminal never silently ignores a rule it does not understand).
 */

export interface ListFileAttrs {
  /** stoplist: reason code, e.g. LOST, STOLEN, FRAUD, BENEFIT_REVOKED. */
  readonly reason?: string;
  /** roster / canteen */
  readonly schoolId?: string;
  readonly classId?: string;
  readonly role?: 'student' | 'staff';
  /** canteen: daily allowance for paid meals, kopecks. */
  readonly dailyAllowanceKopecks?: number;
  /** benefit: trips the server already counted in `usedPeriod`, as of `usedAsOfMs`. */
  readonly usedInPeriod?: number;
  /** Period key: YYYY-MM-DD (day), YYYY-Www (ISO week) or YYYY-MM (month). */
  readonly usedPeriod?: string;
  readonly usedAsOfMs?: number;
}

type Check = (v: unknown) => boolean;

const MAX_TEXT_CHARS = 64;
const text: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= MAX_TEXT_CHARS;
const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;

const CHECKS: Readonly<Record<keyof ListFileAttrs, readonly [Check, string]>> = {
  reason: [text, `must be a string of 1-${MAX_TEXT_CHARS} characters`],
  schoolId: [text, `must be a string of 1-${MAX_TEXT_CHARS} characters`],
  classId: [text, `must be a string of 1-${MAX_TEXT_CHARS} characters`],
  role: [(v) => v === 'student' || v === 'staff', 'must be "student" or "staff"'],
  dailyAllowanceKopecks: [count, 'must be a non-negative integer'],
  usedInPeriod: [count, 'must be a non-negative integer'],
  usedPeriod: [(v) => typeof v === 'string' && /^\d{4}-(\d{2}|W\d{2}|\d{2}-\d{2})$/.test(v), 'must be YYYY-MM, YYYY-Www or YYYY-MM-DD'],
  usedAsOfMs: [count, 'must be a non-negative integer (epoch ms)'],
};

/** Validate `value` as attributes; `fail(field, rule)` makes the error to throw. Returns a fresh object. */
export function checkAttrs(value: unknown, fail: (field: string, rule: string) => Error): ListFileAttrs {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('a', 'must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof ListFileAttrs] : undefined;
    if (check === undefined) throw fail(key, 'is not a known attribute');
    if (!check[0](v)) throw fail(key, check[1]);
    out[key] = v;
  }
  return out;
}
