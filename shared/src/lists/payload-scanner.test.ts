import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import { PayloadScanner, MAX_LINE_BYTES, type ListFileLine, type ScanOptions } from './payload-scanner.js';
import type { PayloadKind } from './list-record.js';
import { sha256Hex, tok } from './test-fixtures.js';

const opts = (kind: PayloadKind = 'snapshot', dev = false): ScanOptions => ({ kind, dev, parse: true });

/** Feed `payload` in pieces of `size` bytes; the lines and digest, or the error. */
function scan(payload: Buffer | string, options: ScanOptions = opts(), size = 1 << 16): { lines: ListFileLine[]; sha256: string } {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const scanner = new PayloadScanner(options);
  const lines: ListFileLine[] = [];
  for (let i = 0; i < bytes.length; i += size) lines.push(...scanner.push(bytes.subarray(i, i + size)));
  return { lines, sha256: scanner.finish().sha256 };
}

function refusal(fn: () => unknown): RescardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('PayloadScanner: framing', () => {
  const payload = `{"t":"${tok(1)}","c":"Ветеран"}\n{"t":"${tok(2)}"}\n{"t":"${tok(3)}","a":{"reason":"LOST"}}\n`;

  it('gives the same lines and digest whatever the chunking (lines and UTF-8 split across chunks)', () => {
    const whole = scan(payload);
    expect(whole.sha256).toBe(sha256Hex(payload));
    expect(whole.lines.map((l) => l.line)).toEqual([2, 3, 4]);
    for (const size of [1, 2, 3, 7, 43, 64]) expect(scan(payload, opts(), size)).toEqual(whole);
  });

  it('refuses empty lines, over-long lines, a missing final newline, invalid UTF-8 — with the line number', () => {
    const cases: [Buffer | string, string][] = [
      [`{"t":"${tok(1)}"}\n\n`, 'line 3: is empty'],
      ['\n', 'line 2: is empty'],
      [`${' '.repeat(MAX_LINE_BYTES + 1)}\n`, 'line 2: is longer'],
      [' '.repeat(MAX_LINE_BYTES + 1), 'line 2: is longer'],
      [`{"t":"${tok(1)}"}\n{"t":"${tok(2)}"}`, 'line 3: has no final newline'],
      [Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), 'line 2: is not valid UTF-8'],
    ];
    for (const [bytes, message] of cases) {
      for (const size of [1, 5, 1 << 16]) expect(refusal(() => scan(bytes, opts(), size)).message).toContain(message);
    }
  });

  it('names the line with invalid UTF-8 among whole lines of one chunk, and parses the lines before it', () => {
    const good = (i: number): Buffer => Buffer.from(`{"t":"${tok(i)}","c":"Ветеран"}\n`, 'utf8');
    const bad = Buffer.concat([Buffer.from(`{"t":"${tok(9)}","c":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const bytes = Buffer.concat([good(1), good(2), bad, good(3)]);
    for (const size of [1, 7, 64, 1 << 16]) {
      const scanner = new PayloadScanner(opts());
      const seen: number[] = [];
      const err = refusal(() => {
        for (let i = 0; i < bytes.length; i += size) for (const l of scanner.push(bytes.subarray(i, i + size))) seen.push(l.line);
      });
      expect(err.message).toContain('line 4: is not valid UTF-8');
      expect(seen).toEqual([2, 3]);
    }
  });

  it('refuses a line that starts with a byte-order mark wherever the chunks split it', () => {
    const payload = Buffer.from(`{"t":"${tok(1)}"}\n{"t":"${tok(2)}"}\n\uFEFF{"t":"${tok(3)}"}\n`, 'utf8');
    const third = payload.indexOf(0xef);
    for (const size of [payload.length, third, third + 1, third + 2, 7]) {
      const err = refusal(() => scan(payload, opts(), size));
      expect([size, err.code, err.details['line']]).toEqual([size, 'LIST_FILE_INVALID', 4]);
    }
  });

  it('hash-only mode counts lines and does not parse', () => {
    const scanner = new PayloadScanner({ kind: 'snapshot', dev: false, parse: false, expected: { count: 2 } });
    scanner.feed(Buffer.from('garbage\nmore garbage\n'));
    expect(scanner.finish().count).toBe(2);
  });
});

describe('PayloadScanner: line rules', () => {
  const t = tok(1);
  const refused: [string, PayloadKind, string][] = [
    ['{"t":"short"}', 'snapshot', 't'],
    [`{"t":"${t.slice(0, 42)}B"}`, 'snapshot', 't'], // 43 chars but not canonical base64url of 32 bytes
    [`{"t":"${t}=" }`, 'snapshot', 't'],
    [`{"t":"${t}","pan":"2200000000000004"}`, 'snapshot', 't'],
    ['{"pan":"2200000000000004"}', 'snapshot', 'pan'],
    [`{"op":"put","t":"${t}"}`, 'snapshot', 'op'],
    [`{"t":"${t}"}`, 'delta', 'op'],
    [`{"op":"upsert","t":"${t}"}`, 'delta', 'op'],
    [`{"op":"del","t":"${t}","c":null}`, 'delta', 'c'],
    [`{"t":"${t}","x":1}`, 'snapshot', 'x'],
    [`{"t":"${t}","c":""}`, 'snapshot', 'c'],
    [`{"t":"${t}","c":7}`, 'snapshot', 'c'],
    [`{"t":"${t}","f":"2025-13-01"}`, 'snapshot', 'f'],
    [`{"t":"${t}","u":"2025-02-29"}`, 'snapshot', 'u'],
    [`{"t":"${t}","f":"2025-09-02","u":"2025-09-01"}`, 'snapshot', 'f'],
    [`{"t":"${t}","a":[]}`, 'snapshot', 'a'],
    [`{"t":"${t}","a":{"role":"admin"}}`, 'snapshot', 'a.role'],
    [`{"t":"${t}","a":{"dailyAllowanceKopecks":-1}}`, 'snapshot', 'a.dailyAllowanceKopecks'],
    [`{"t":"${t}","a":{"usedPeriod":"Sept"}}`, 'snapshot', 'a.usedPeriod'],
    [`{"t":"${t}","a":{"__proto__":{}}}`, 'snapshot', 'a.__proto__'],
    ['[1]', 'snapshot', ''],
    ['{"t":', 'snapshot', ''],
  ];
  it.each(refused)('%s (%s) -> %s', (line, kind, field) => {
    const err = refusal(() => scan(`${line}\n`, opts(kind)));
    expect(err.code).toBe('LIST_FILE_INVALID');
    expect(err.message).toContain('line 2');
    if (field !== '') expect(err.details).toMatchObject({ reason: 'line', line: 2, field });
  });

  it('dev files accept PAN and PAR, normalised, and never echo a bad one', () => {
    const { lines } = scan('{"op":"put","pan":"2200-0000-0000-0004"}\n{"op":"del","par":"m0010000000000000000000000001"}\n', opts('delta', true));
    expect(lines.map((l) => l.record.card)).toEqual([{ pan: '2200000000000004' }, { par: 'M0010000000000000000000000001' }]);
    const secret = '22000000000000041234';
    for (const line of [`{"op":"put","pan":"${secret}"}`, `{"op":"put","pan":"${secret}",}`, `{"op":"put","pan":${secret}}`]) {
      const err = refusal(() => scan(`${line}\n`, opts('delta', true)));
      expect(JSON.stringify({ message: err.message, details: err.details, cause: String(err.cause) })).not.toContain(secret);
    }
  });
});

describe('PayloadScanner: fuzz', () => {
  const anyLine = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom('t', 'op', 'c', 'f', 'u', 'a', 'pan', 'x'), fc.jsonValue()).map((o) => JSON.stringify(o)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
  );

  it('malformed lines are always LIST_FILE_INVALID, never another exception', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 5 }), fc.constantFrom<PayloadKind>('snapshot', 'delta'), fc.boolean(),
        fc.integer({ min: 1, max: 64 }), (lines, kind, dev, size) => {
          const err = refusal(() => scan(`${lines.join('\n')}\n`, opts(kind, dev), size));
          expect(err.code).toBe('LIST_FILE_INVALID');
        }),
      { numRuns: 2000 },
    );
  });

  it('valid lines with one field replaced by random JSON: accepted or LIST_FILE_INVALID', () => {
    const base = { op: 'put', t: tok(1), c: 'VETERAN', f: '2025-01-01', u: null, a: { role: 'staff' } };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => {
        try {
          scan(`${JSON.stringify({ ...base, [key]: value })}\n`, opts('delta'));
        } catch (err) {
          expect(err).toBeInstanceOf(RescardError);
          expect((err as RescardError).code).toBe('LIST_FILE_INVALID');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
