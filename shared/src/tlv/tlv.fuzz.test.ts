/**
 * Property-based tests of the BER-TLV codec (fast-check). Card answers are attacker-controlled
 * bytes: whatever arrives, decodeTlv returns or throws RescardError TLV_MALFORMED, nothing else.
 * Together the two robustness properties decode 110,000 inputs per run (60,000 random byte
 * strings + 10,000 valid trees x 5 mutations); about 3 s for the whole file on one core of a
 * 2-core VM, and the generous timeout only guards a far slower CI box. A failure prints the seed and the shrunk input.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isRescardError } from '../errors.js';
import { toHex } from '../hex.js';
import { decodeTlv, encodeTlv, type Tlv, type TlvInput } from './tlv.js';

const RANDOM_BYTE_RUNS = 60_000;
const MUTATED_TREES = 10_000;
const MUTATIONS_PER_TREE = 5;
const ROUND_TRIP_RUNS = 10_000;
const TIMEOUT_MS = 60_000;

/** Decode; a TLV_MALFORMED error is an accepted outcome, any other throw fails the property. */
function decodeOrMalformed(bytes: Uint8Array): Tlv[] | 'malformed' {
  try {
    return decodeTlv(bytes);
  } catch (err) {
    if (isRescardError(err, 'TLV_MALFORMED')) return 'malformed';
    throw err;
  }
}

const byteHex = (b: number): string => b.toString(16).padStart(2, '0').toUpperCase();

/** Well-formed EMV tags, 1 to 4 bytes, never starting with a padding byte (00, FF). */
function tagArb(constructed: boolean): fc.Arbitrary<string> {
  const c = constructed ? 0x20 : 0;
  const oneByte = fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: constructed ? 0 : 1, max: 30 }))
    .map(([cls, low]) => byteHex((cls << 6) | c | low));
  const multiByte = fc
    .tuple(
      fc.integer({ min: 0, max: constructed ? 2 : 3 }),
      fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 2 }),
      fc.integer({ min: 0, max: 0x7f }),
    )
    .map(([cls, middle, last]) => [(cls << 6) | c | 0x1f, ...middle, last].map(byteHex).join(''));
  return fc.oneof(oneByte, multiByte);
}

/** Short values mostly, sometimes 128..300 bytes to exercise the 81 and 82 length forms. */
const valueArb = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 12 }), weight: 8 },
  { arbitrary: fc.uint8Array({ minLength: 120, maxLength: 300 }), weight: 1 },
);

const { node: nodeArb } = fc.letrec<{ node: TlvInput }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.record({ tag: tagArb(false), value: valueArb }),
    fc.record({ tag: tagArb(true), children: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
}));
const treesArb = fc.array(nodeArb, { minLength: 1, maxLength: 4 });

/** Bytes that steer random input into TLV structure: padding, tag starts, long-form lengths. */
const tlvishBytesArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0xff, 0x1f, 0x9f, 0x70, 0xbf, 0x80, 0x81, 0x82, 0x84, 0x85, 0x01, 0x02)), {
    maxLength: 48,
  })
  .map((a) => Uint8Array.from(a));

/** Offsets of every length byte in a canonical encoding, found from the decoded values. */
function lengthByteOffsets(bytes: Buffer, nodes: readonly Tlv[], out: number[] = []): number[] {
  for (const n of nodes) {
    const valueStart = n.value.byteOffset - bytes.byteOffset;
    const size = n.value.length < 0x80 ? 1 : n.value.length < 0x100 ? 2 : n.value.length < 0x10000 ? 3 : 4;
    for (let i = valueStart - size; i < valueStart; i += 1) out.push(i);
    if (n.children) lengthByteOffsets(bytes, n.children, out);
  }
  return out;
}

type Mutation = 'truncate' | 'flip-length' | 'set-byte' | 'flip-length-and-truncate';

function mutate(bytes: Buffer, kind: Mutation, pick: number, mask: number): Buffer {
  const out = Buffer.from(bytes);
  const lengths = lengthByteOffsets(bytes, decodeTlv(bytes));
  const flipAt = lengths[pick % lengths.length]!;
  switch (kind) {
    case 'truncate':
      return out.subarray(0, pick % out.length);
    case 'set-byte':
      out[pick % out.length] = mask;
      return out;
    case 'flip-length':
      out[flipAt] = out[flipAt]! ^ (mask || 0x80);
      return out;
    case 'flip-length-and-truncate':
      out[flipAt] = out[flipAt]! ^ (mask || 0x80);
      return out.subarray(0, Math.max(flipAt + 1, out.length - 1 - (pick % 8)));
  }
}

/** A decoded tree in input form: children for constructed objects, value otherwise. */
function asInput(nodes: readonly Tlv[]): TlvInput[] {
  return nodes.map((n) => (n.children ? { tag: n.tag, children: asInput(n.children) } : { tag: n.tag, value: n.value }));
}

function normalised(nodes: readonly TlvInput[]): unknown[] {
  return nodes.map((n) =>
    'children' in n ? { tag: n.tag, children: normalised(n.children) } : { tag: n.tag, value: toHex(n.value) },
  );
}

describe('TLV decoding of hostile input', () => {
  it(
    `${RANDOM_BYTE_RUNS} random byte strings: decoded or TLV_MALFORMED, never another error`,
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), tlvishBytesArb), (bytes) => {
          decodeOrMalformed(bytes);
        }),
        { numRuns: RANDOM_BYTE_RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `${MUTATED_TREES * MUTATIONS_PER_TREE} mutated valid encodings (truncated, length bytes flipped, bytes replaced): decoded or TLV_MALFORMED`,
    () => {
      const kinds: Mutation[] = ['truncate', 'flip-length', 'set-byte', 'flip-length-and-truncate'];
      const mutationArb = fc.tuple(fc.constantFrom(...kinds), fc.nat(), fc.integer({ min: 0, max: 255 }));
      const mutationsArb = fc.array(mutationArb, { minLength: MUTATIONS_PER_TREE, maxLength: MUTATIONS_PER_TREE });
      fc.assert(
        fc.property(treesArb, mutationsArb, (trees, mutations) => {
          const bytes = encodeTlv(trees);
          for (const [kind, pick, mask] of mutations) {
            const result = decodeOrMalformed(mutate(bytes, kind, pick, mask));
            // A cut inside the encoding leaves at most a strict prefix of the top-level objects.
            if (kind === 'truncate' && pick % bytes.length > 0 && result !== 'malformed') {
              expect(result.length).toBeLessThan(trees.length);
            }
          }
        }),
        { numRuns: MUTATED_TREES },
      );
    },
    TIMEOUT_MS,
  );
});

describe('TLV round trip of generated trees', () => {
  it(
    `${ROUND_TRIP_RUNS} trees: decode(encode(tree)) is the tree and re-encodes to the same bytes`,
    () => {
      fc.assert(
        fc.property(treesArb, (trees) => {
          const bytes = encodeTlv(trees);
          const decoded = decodeTlv(bytes);
          expect(JSON.stringify(normalised(asInput(decoded)))).toBe(JSON.stringify(normalised(trees)));
          expect(encodeTlv(asInput(decoded)).equals(bytes)).toBe(true);
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
