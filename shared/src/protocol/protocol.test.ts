import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRescardError } from '../errors.js';
import { decodePayload, encodePayload } from './codec.js';
import { heartbeatSchema, tapAckSchema, tapBatchSchema, type TapBatch } from './messages.js';
import { parseTopic, topics } from './topics.js';

const TOKEN = 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g';

const batch: TapBatch = {
  v: 1,
  deviceId: 'bus-0001',
  batchId: 'b-1',
  sentAtMs: 1795300000000,
  taps: [
    {
      seq: 1,
      tapId: 't-1',
      wallMs: 1795300000000,
      monoMs: 10,
      bootId: 'boot',
      token: TOKEN,
      kid: 'dev-1',
      parToken: null,
      panMasked: '220000******0004',
      scheme: 'MIR',
      profile: 'bus',
      context: { routeId: 'r42', utcOffsetMinutes: 180 },
      outcome: 'ALLOW',
      reason: 'OK_FREE',
      counted: 'RIDE',
      amountKopecks: 0,
      fare: { type: 'FREE', kopecks: 0, category: 'pensioner' },
      flags: { staleList: false, restricted: false, clockFault: false },
      listVersions: { benefit: 1, stoplist: 1 },
      readMs: 220,
    },
  ],
};

describe('topics', () => {
  it('are built by functions and parse back', () => {
    expect(topics.deviceTaps('bus-0001')).toBe('rescard/v1/dev/bus-0001/taps');
    expect(parseTopic(topics.deviceAck('bus-0001'))).toEqual({ kind: 'deviceAck', deviceId: 'bus-0001' });
    expect(parseTopic(topics.list('school:school-7', 'roster'))).toEqual({ kind: 'list', audience: 'school:school-7', list: 'roster' });
    expect(parseTopic(topics.freshness('region'))).toEqual({ kind: 'freshness', audience: 'region' });
  });

  it('refuse ids that would smuggle wildcards or levels', () => {
    for (const bad of ['a/b', '+', '#', '', 'x'.repeat(65)]) {
      expect(() => topics.deviceTaps(bad)).toThrow(expect.objectContaining({ code: 'PROTOCOL_INVALID' }) as Error);
    }
    let err: unknown;
    try {
      topics.freshness('everyone');
    } catch (e) {
      err = e;
    }
    expect(isRescardError(err, 'PROTOCOL_INVALID')).toBe(true);
  });

  it('parseTopic says null for anything it does not know', () => {
    for (const t of ['rescard/v2/dev/a/taps', 'rescard/v1/dev/a/other', 'rescard/v1/dev/a+b/taps', 'x', 'rescard/v1/lists/region/unknown']) {
      expect(parseTopic(t)).toBeNull();
    }
  });
});

describe('payload decoding', () => {
  it('round-trips a tap batch', () => {
    const d = decodePayload(tapBatchSchema, encodePayload(batch));
    expect(d).toEqual({ ok: true, value: batch });
  });

  it('rejects with a reason, never an exception', () => {
    expect(decodePayload(tapBatchSchema, 'not json')).toMatchObject({ ok: false, reason: 'json' });
    expect(decodePayload(tapBatchSchema, JSON.stringify({ ...batch, v: 2 }))).toMatchObject({ ok: false, reason: 'version' });
    expect(decodePayload(tapBatchSchema, JSON.stringify({ ...batch, extra: 1 }))).toMatchObject({ ok: false, reason: 'schema' });
    const withPan = { ...batch, taps: [{ ...batch.taps[0], panMasked: '2200000000000004' }] };
    expect(decodePayload(tapBatchSchema, JSON.stringify(withPan))).toMatchObject({ ok: false, reason: 'schema' });
    expect(decodePayload(tapBatchSchema, Buffer.alloc(1024 * 1024 + 1))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(decodePayload(tapAckSchema, JSON.stringify({ v: 1, deviceId: 'd', batchId: 'b', committedUpTo: -1, duplicates: 0 }))).toMatchObject({ ok: false });
    expect(decodePayload(heartbeatSchema, JSON.stringify({ v: 1, deviceId: 'd', online: false }))).toMatchObject({ ok: true });
  });

  it('fuzz: arbitrary bytes and mutated batches never throw', () => {
    const valid = encodePayload(batch).toString();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(decodePayload(tapBatchSchema, bytes).ok).toBe(false);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.string({ maxLength: 4 }), (at, insert) => {
        const mutated = valid.slice(0, at) + insert + valid.slice(at + 1);
        const r = decodePayload(tapBatchSchema, mutated);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 5000 },
    );
  });
});
