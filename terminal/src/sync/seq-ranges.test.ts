import { tapWireSchema } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { tap } from '../adapters/sqlite/contract-fixtures.js';
import { SeqRanges } from './seq-ranges.js';
import { toTapWire } from './tap-wire.js';
import { topicMatches } from './topic-match.js';

describe('SeqRanges', () => {
  it('merges neighbours, answers membership, removes a prefix, takes the lowest', () => {
    const s = new SeqRanges(3);
    s.add(5);
    s.add(7);
    s.add(6);
    s.add(10, 12);
    expect(s.list()).toEqual([[5, 7], [10, 12]]);
    expect(s.endOfRangeAt(6)).toBe(7);
    expect(s.has(9)).toBe(false);
    expect(s.size).toBe(6);
    s.removeUpTo(6);
    expect(s.takeLowest(2)).toEqual([7, 10]);
    expect(s.list()).toEqual([[11, 12]]);
  });

  it('refuses to grow beyond maxRanges and stays unchanged', () => {
    const s = new SeqRanges(2);
    expect(s.add(1) && s.add(3)).toBe(true);
    expect(s.add(5)).toBe(false);
    expect(s.list()).toEqual([[1, 1], [3, 3]]);
    expect(s.add(2)).toBe(true);
    expect(s.list()).toEqual([[1, 3]]);
  });
});

describe('toTapWire', () => {
  it('maps a journal record to a valid v1 tap, without the message texts', () => {
    const record = { ...tap(1, { position: { lat: 55.7, lon: 37.6, speedKmh: null, quality: 1, ageMs: 200, stopId: null, flag: 'OK' as const } }), seq: 7 };
    const wire = toTapWire(record);
    expect(tapWireSchema.safeParse(wire).success).toBe(true);
    expect(wire).toMatchObject({ seq: 7, reason: 'OK_FREE', profile: 'bus', context: { routeId: '42' } });
    expect(JSON.stringify(wire)).not.toMatch(/Free ride|Проезд/);
  });
});

describe('topicMatches', () => {
  it('follows MQTT wildcards', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b/c', 'a/b')).toBe(false);
  });
});
