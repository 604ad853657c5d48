import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyOrder, keyOrderString } from './list-batches.js';
import type { Key } from './list-rows.js';

const keyArb: fc.Arbitrary<Key> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const sign = (n: number): number => Math.sign(n);

describe('keyOrderString', () => {
  it('sorts like keyOrder (SQLite: TEXT before BLOB, each bytewise), for any bytes and any text', () => {
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        const sa = keyOrderString(a);
        const sb = keyOrderString(b);
        expect(sign(sa < sb ? -1 : sa > sb ? 1 : 0)).toBe(sign(keyOrder(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});
