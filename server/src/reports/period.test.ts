import { describe, expect, it } from 'vitest';
import { LocalClock, parseLocalDate } from './period.js';
import { csvField, csvLine, encoder } from './report-format.js';

describe('periods in the programme time zone', () => {
  it('a Moscow month is [local midnight of the 1st, local midnight of the next 1st)', () => {
    const p = new LocalClock('Europe/Moscow').period('2026-11-01', '2026-11-30');
    expect(new Date(p.startMs).toISOString()).toBe('2026-10-31T21:00:00.000Z');
    expect(new Date(p.endMs).toISOString()).toBe('2026-11-30T21:00:00.000Z');
  });

  it('local days, times and ISO stamps carry the zone offset', () => {
    const c = new LocalClock('Europe/Moscow');
    const ms = Date.parse('2026-10-31T21:30:00Z');
    expect([c.day(ms), c.time(ms), c.iso(ms)]).toEqual(['2026-11-01', '00:30:00', '2026-11-01T00:30:00.000+03:00']);
    expect(new LocalClock('America/St_Johns').iso(Date.parse('2026-01-15T12:00:00Z'))).toBe('2026-01-15T08:30:00.000-03:30');
  });

  it('a zone with summer time: the day of the change is 23 hours long', () => {
    const p = new LocalClock('Europe/Berlin').period('2026-03-29', '2026-03-29');
    expect(new Date(p.startMs).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(p.endMs - p.startMs).toBe(23 * 3_600_000);
  });

  it('bad dates and reversed periods are REQUEST_INVALID; an unknown zone is CONFIG_INVALID', () => {
    const c = new LocalClock();
    expect(parseLocalDate('2026-02-29')).toBeNull();
    expect(parseLocalDate('2028-02-29')).toEqual([2028, 2, 29]);
    expect(() => c.period('2026-02-30', '2026-03-01')).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }) as Error);
    expect(() => c.period('2026-03-02', '2026-03-01')).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }) as Error);
    expect(() => new LocalClock('Mars/Olympus')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});

describe('fixed byte formats', () => {
  it('CSV quotes only what needs it, doubles quotes, writes null empty and decimals with 3 places', () => {
    expect(csvLine(['a,b', 'say "hi"', 'line\nbreak', null, true, 42, 1 / 3, 'plain'])).toBe('"a,b","say ""hi""","line\nbreak",,true,42,0.333,plain\r\n');
    expect(csvField(2.5)).toBe('2.500');
  });

  it('JSON is one array, keys in column order; an empty report is []', () => {
    const cols = [{ name: 'b', get: (r: { a: number; b: string }) => r.b }, { name: 'a', get: (r: { a: number; b: string }) => r.a }];
    const enc = encoder('json', cols);
    const text = enc.head() + enc.row({ a: 1 / 3, b: 'x' }) + enc.row({ a: 2, b: 'y' }) + enc.tail();
    expect(text).toBe('[\n{"b":"x","a":0.333},\n{"b":"y","a":2}\n]\n');
    const empty = encoder('json', cols);
    expect(JSON.parse(empty.head() + empty.tail())).toEqual([]);
  });
});
