/**
 * The canonical-layout fast path must be invisible: whatever line it accepts, the general parser
 * returns the same record; whatever it does not, the general parser decides (and names the error).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import { canonicalRecord } from './canonical-line.js';
import { encodeRecordLine, parseRecordLine, parseRecordLineGeneral, type ListFileRecord, type PayloadKind, type RecordContext } from './list-record.js';
import { tok } from './test-fixtures.js';

const ctx = (kind: PayloadKind): RecordContext => ({ kind, dev: false, line: 7 });

/** The general parser's verdict: the record, or the error's message and details. */
function general(text: string, kind: PayloadKind): ListFileRecord | { error: string; details: unknown } {
  try {
    return parseRecordLineGeneral(text, ctx(kind));
  } catch (err) {
    if (!(err instanceof RescardError)) throw err;
    return { error: err.message, details: err.details };
  }
}

function verdict(text: string, kind: PayloadKind): ListFileRecord | { error: string; details: unknown } {
  try {
    return parseRecordLine(text, ctx(kind));
  } catch (err) {
    if (!(err instanceof RescardError)) throw err;
    return { error: err.message, details: err.details };
  }
}

const date = fc.oneof(
  fc.constant(null),
  fc.constantFrom('2025-01-01', '2024-02-29', '2025-02-29', '2025-13-01', '2025-12-31', '0000-01-01', '2025-1-01', '２０２５-01-01'),
);
const text = fc.oneof(fc.constant(null), fc.constantFrom('VETERAN', 'Ветеран', '', 'a"b', 'a\\b', 'tab\there', 'x'.repeat(64), 'x'.repeat(65), '🚌'), fc.string());
const attrs = fc.oneof(
  fc.constant({}),
  fc.constant({ reason: 'LOST' }),
  fc.constant({ usedInPeriod: 3, usedPeriod: '2025-09', usedAsOfMs: 1_756_684_800_000 }),
  fc.constant({ reason: 7 }),
  fc.constant({ unknown: 'x' }),
  fc.dictionary(fc.constantFrom('reason', 'schoolId', 'role', 'usedInPeriod'), fc.oneof(fc.string(), fc.integer(), fc.constant('staff'))),
);
const token = fc.oneof(fc.integer({ min: 0, max: 1e6 }).map((i) => tok(i)), fc.constantFrom('short', `${tok(1).slice(0, 42)}B`, `${tok(1).slice(0, 42)}=`));
const record = fc.record({ op: fc.constantFrom('put', 'del'), token, category: text, validFrom: date, validTo: date, attrs })
  .map((r): ListFileRecord => (r.op === 'del'
    ? { op: 'del', card: { token: r.token } }
    : { op: 'put', card: { token: r.token }, category: r.category, validFrom: r.validFrom, validTo: r.validTo, attrs: r.attrs as never }));

/** Small edits a relay, a bug or another writer could make to a line. */
const mutation = fc.oneof(
  fc.constant((l: string) => l),
  fc.constant((l: string) => l.replace(':', ': ')),
  fc.constant((l: string) => l.replace(',', ' ,')),
  fc.constant((l: string) => `${l} `),
  fc.constant((l: string) => l.slice(0, -1)),
  fc.constant((l: string) => `${l.slice(0, -1)},"x":1}`),
  fc.constant((l: string) => l.replace('"c":', '"f":')),
  fc.constant((l: string) => l.replace('"a":{}', '"a":{ }')),
  fc.constant((l: string) => l.replace('"a":{', '"a":{"reason":"LOST",')),
  fc.constant((l: string) => l.replace('null', '"\\u0041"')),
  fc.integer({ min: 0, max: 200 }).map((i) => (l: string) => `${l.slice(0, i)}${l.slice(i + 1)}`),
  fc.tuple(fc.integer({ min: 0, max: 200 }), fc.string({ maxLength: 2 })).map(([i, s]) => (l: string) => `${l.slice(0, i)}${s}${l.slice(i)}`),
);

describe('canonicalRecord (parseRecordLine fast path)', () => {
  it('reads the lines the writer writes, as the general parser does', () => {
    const lines: [ListFileRecord, PayloadKind][] = [
      [{ op: 'put', card: { token: tok(1) }, category: 'VETERAN', validFrom: '2025-01-01', validTo: '2027-12-31', attrs: {} }, 'snapshot'],
      [{ op: 'put', card: { token: tok(2) }, category: null, validFrom: null, validTo: null, attrs: { reason: 'LOST' } }, 'snapshot'],
      [{ op: 'put', card: { token: tok(3) }, category: 'Ветеран', validFrom: null, validTo: '2026-05-31', attrs: { schoolId: 's1', role: 'student' } }, 'delta'],
      [{ op: 'del', card: { token: tok(4) } }, 'delta'],
    ];
    for (const [r, kind] of lines) {
      const line = encodeRecordLine(r, kind);
      expect(canonicalRecord(line, kind), line).toEqual(r); // taken by the fast path...
      expect(parseRecordLineGeneral(line, ctx(kind))).toEqual(r); // ...and the same as the general one
    }
  });

  it('accepts a line only when the general parser returns the same record; otherwise the general parser decides', () => {
    fc.assert(
      fc.property(record, fc.constantFrom<PayloadKind>('snapshot', 'delta'), mutation, (r, kind, mutate) => {
        const line = mutate(encodeRecordLine(r, r.op === 'del' ? 'delta' : kind));
        const fast = canonicalRecord(line, kind);
        if (fast !== null) expect(general(line, kind)).toEqual(fast);
        expect(verdict(line, kind)).toEqual(general(line, kind));
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves every refusal to the general parser: the error names the line and the field', () => {
    const base = { op: 'put', card: { token: tok(1) }, category: null, validFrom: null, validTo: null, attrs: {} } as const;
    const bad: [string, string][] = [
      [encodeRecordLine({ ...base, validFrom: '2025-02-30' }, 'snapshot'), 'f'],
      [encodeRecordLine({ ...base, validFrom: '2026-01-01', validTo: '2025-01-01' }, 'snapshot'), 'f'],
      [encodeRecordLine({ ...base, category: 'x'.repeat(65) }, 'snapshot'), 'c'],
      [encodeRecordLine({ ...base, category: 'tab\there' }, 'snapshot').replace('\\t', '\t'), 'none'],
      [encodeRecordLine({ ...base, attrs: { reason: 7 } as never }, 'snapshot'), 'a.reason'],
      [encodeRecordLine({ ...base, card: { token: `${tok(1).slice(0, 42)}B` } }, 'snapshot'), 't'],
    ];
    for (const [line, field] of bad) {
      expect(canonicalRecord(line, 'snapshot'), line).toBeNull();
      const err = (() => {
        try {
          parseRecordLine(line, ctx('snapshot'));
        } catch (e) {
          return e as RescardError;
        }
        throw new Error(`accepted: ${line}`);
      })();
      expect(err.code).toBe('LIST_FILE_INVALID');
      expect(err.details).toMatchObject({ reason: 'line', line: 7, field: field === 'none' ? null : field });
    }
  });
});
