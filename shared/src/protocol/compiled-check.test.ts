import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { compiledCheck } from './compiled-check.js';
import {
  freshnessSchema,
  gatewayAckSchema,
  gatewayBatchSchema,
  heartbeatSchema,
  listAnnounceSchema,
  tapAckSchema,
  tapBatchSchema,
  terminalStatusesSchema,
  type TapWire,
} from './messages.js';

const TOKEN = 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g';
const tap: TapWire = {
  seq: 1, tapId: 't-1', wallMs: 1795300000000, monoMs: 10, bootId: 'boot', token: TOKEN, kid: 'dev-1', parToken: TOKEN,
  panMasked: '220000******0004', scheme: 'MIR', profile: 'bus', context: { routeId: 'r42', utcOffsetMinutes: 180 }, outcome: 'ALLOW',
  reason: 'OK_FREE', counted: 'RIDE', amountKopecks: 0, fare: { type: 'FREE', kopecks: 0, category: 'pensioner' },
  meal: { window: 'lunch', free: false, priceKopecks: 9000, remainingKopecks: -100 }, direction: 'IN',
  flags: { staleList: false, restricted: false, clockFault: false }, listVersions: { benefit: 1, stoplist: 1 }, readMs: 220,
  position: { lat: 55.75, lon: 37.61, stopId: null },
};
const batch = { v: 1, deviceId: 'bus-0001', batchId: 'b-1', sentAtMs: 1795300000000, taps: [tap, { ...tap, seq: 2, tapId: 't-2' }] };
const SAMPLES: readonly [string, z.ZodType, unknown][] = [
  ['tap batch', tapBatchSchema, batch],
  ['gateway batch', gatewayBatchSchema, { v: 1, gatewayId: 'gw-1', batchId: 'g-1', sentAtMs: 1, batches: [{ deviceId: 'bus-0001', batchId: 'b-1', sentAtMs: 1, taps: [tap] }] }],
  ['tap ack', tapAckSchema, { v: 1, deviceId: 'bus-0001', batchId: 'b-1', committedUpTo: 7, duplicates: 0 }],
  ['gateway ack', gatewayAckSchema, { v: 1, gatewayId: 'gw-1', batchId: 'g-1', committed: [{ deviceId: 'bus-0001', committedUpTo: 3 }] }],
  ['heartbeat', heartbeatSchema, {
    v: 1, deviceId: 'bus-0001', kind: 'terminal', online: true, atMs: 1, appVersion: '0.1.0', profile: 'bus',
    queue: { depth: 0, capacity: 100, alarm: false, oldestAgeMs: null }, lists: { benefit: { version: 3, ageMs: 10, stale: false } },
    restricted: false, clockFault: false, tapLatencyMs: { p50: 1, p99: null }, alarms: [],
  }],
  ['terminal statuses', terminalStatusesSchema, { v: 1, gatewayId: 'gw-1', atMs: 5, statuses: [{ receivedAtMs: 4, status: { v: 1, deviceId: 't1', online: false } }] }],
  ['offline', heartbeatSchema, { v: 1, deviceId: 'bus-0001', online: false }],
  ['announce', listAnnounceSchema, { v: 1, list: 'stoplist', audience: 'region', version: 4, snapshotUrl: '/lists/x', delta: { baseVersion: 3, url: '/lists/d', inline: 'abc' } }],
  ['freshness', freshnessSchema, { v: 1, audience: 'school:s1', lists: { roster: 2 }, issuedAt: 'a', expiresAt: 'b', kid: 'k', signature: 's' }],
];

/** Values that sit on the edges where two validators could disagree. */
const edgy = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(0, -0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e300, '', 'a', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(32), '😀'.repeat(33)),
  fc.constantFrom('220000******0004', '2200000000000004', '220000**0004', TOKEN, `${TOKEN}=`, 'region', 'school:s1', 'school:', 'RIDE', 'ride', null, true, [], {}),
  fc.string({ unit: 'binary', maxLength: 70 }),
);

type Path = (string | number)[];
function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function mutate(value: unknown, path: Path, op: 'set' | 'delete' | 'add', replacement: unknown, key: string): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  if (path.length === 0) return op === 'set' ? replacement : copy;
  let node: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (op === 'set') node[last] = replacement;
  else if (op === 'delete') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last])) (node[last] as Record<string, unknown>)[key] = replacement;
  return copy;
}

describe('the compiled check says what zod says', () => {
  it.each(SAMPLES)('accepts the valid %s', (_name, schema, sample) => {
    expect(schema.safeParse(sample).success).toBe(true);
    expect(compiledCheck(schema)?.(sample)).toBe(true);
  });

  it.each(SAMPLES)('fuzz: agrees with zod on mutated %s payloads', (_name, schema, sample) => {
    const all = paths(sample);
    const check = compiledCheck(schema)!;
    let refused = 0;
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.constantFrom('set', 'delete', 'add' as const), edgy, fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (i, op, replacement, key, times) => {
        let candidate: unknown = sample;
        for (let n = 0; n < times; n++) {
          const p = paths(candidate);
          candidate = mutate(candidate, p[(i + n * 7) % p.length] ?? all[i]!, op, replacement, key);
        }
        const zod = schema.safeParse(candidate).success;
        if (!zod) refused += 1;
        expect(check(candidate)).toBe(zod);
      }),
      { numRuns: 3000 },
    );
    expect(refused).toBeGreaterThan(100); // the mutations do produce invalid payloads
  });
});
