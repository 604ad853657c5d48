/**
 * What of a request may enter the audit log. Bodies are never stored: they may carry PANs,
 * passwords or tokens. Kept: the names of the body's top-level fields, the lengths of its arrays,
 * and the values of a short allow-list of fields known to be harmless (ids, roles, reason codes),
 * each a short scalar or a short list of short strings. Every kept string, field names included,
 * has runs of 12+ digits (a PAN, with or without spaces or dashes) replaced, so even a PAN typed
 * into a reason or an id field does not get through.
 */

const SAFE_FIELDS = new Set([
  'username', 'role', 'name', 'list', 'audience', 'reason', 'reasonCode', 'kind', 'deviceId', 'profile', 'site', 'schoolId', 'routeId', 'carrierId',
  'vehicleId', 'expiresAt', 'expiresInDays', 'disabled', 'schools', 'carriers', 'routes', 'accountId', 'from', 'to', 'month', 'format',
]);
const MAX_FIELDS = 32;
const MAX_STRING = 200;
const MAX_LIST = 32;
const DIGIT_RUN = /\d(?:[ -]?\d){11,}/g;

export function redactText(text: string, max = MAX_STRING): string {
  const clean = text.replace(DIGIT_RUN, '[digits removed]');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function safeScalar(v: unknown): string | number | boolean | null | undefined {
  if (typeof v === 'string') return redactText(v);
  if (typeof v === 'number' && Number.isFinite(v)) return Math.abs(v) >= 1e11 ? undefined : v; // a PAN as a number
  if (typeof v === 'boolean' || v === null) return v;
  return undefined;
}

function safeValue(v: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length > MAX_LIST || !v.every((x) => typeof x === 'string')) return undefined;
    return v.map((x: string) => redactText(x, 64));
  }
  return safeScalar(v);
}

export interface BodySummary {
  readonly fields: string[];
  readonly counts?: Record<string, number>;
  readonly values?: Record<string, unknown>;
}

export function summariseBody(body: unknown): BodySummary | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const keys = Object.keys(body).slice(0, MAX_FIELDS);
  const counts: Record<string, number> = {};
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    const v = (body as Record<string, unknown>)[key];
    const name = redactText(key, 64);
    if (Array.isArray(v) && !SAFE_FIELDS.has(key)) counts[name] = v.length;
    if (!SAFE_FIELDS.has(key)) continue;
    const safe = safeValue(v);
    if (safe !== undefined) values[name] = safe;
  }
  return {
    fields: keys.map((k) => redactText(k, 64)),
    ...(Object.keys(counts).length > 0 ? { counts } : {}),
    ...(Object.keys(values).length > 0 ? { values } : {}),
  };
}

/** Every string made safe, numbers that could be a PAN dropped (the last guard before auth.db). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, 500);
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) < 1e11 ? value : null;
  if (value === null || typeof value === 'boolean') return value;
  if (depth > 4) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_LIST).map((v) => redactDeep(v, depth + 1));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).slice(0, MAX_FIELDS).map(([k, v]) => [redactText(k, 64), redactDeep(v, depth + 1)]));
  return null;
}

/** Route params are ids from the URL; kept, each made safe. */
export function safeParams(params: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (params === null || typeof params !== 'object') return out;
  for (const [k, v] of Object.entries(params as Record<string, unknown>).slice(0, MAX_FIELDS)) {
    if (typeof v === 'string' || typeof v === 'number') out[redactText(k, 64)] = redactText(String(v), 128);
  }
  return out;
}

/** The why of a change: the X-Rescard-Reason header (percent-encoding allowed, for non-ASCII) or a `reason` body field. */
export function whyOf(header: string | string[] | undefined, body: unknown): string | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw !== undefined && raw.trim() !== '') {
    let text = raw;
    try {
      text = decodeURIComponent(raw);
    } catch {
      // not percent-encoded: keep as sent
    }
    return redactText(text.trim(), 500);
  }
  const reason = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['reason'] : undefined;
  return typeof reason === 'string' && reason.trim() !== '' ? redactText(reason.trim(), 500) : null;
}
