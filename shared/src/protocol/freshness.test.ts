import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createListVerifiers, generateListSigningKey, verifyManifestSignature } from '../lists/manifest-signature.js';
import { GOLDEN_MANIFEST } from '../lists/test-fixtures.js';
import { decodePayload, encodePayload } from './codec.js';
import { FRESHNESS_SIGNING_CONTEXT, canonicalFreshnessJson, signFreshness, verifyFreshness } from './freshness.js';
import { freshnessSchema } from './messages.js';

const KEY = generateListSigningKey('ru-77-2025a');
const VERIFIERS = createListVerifiers({ 'ru-77-2025a': KEY.publicKeyPem });
const NOW = Date.parse('2025-09-01T03:30:00Z');
const unsigned = { v: 1 as const, audience: 'region', lists: { stoplist: 42, benefit: 7 }, issuedAt: '2025-09-01T03:00:00Z', expiresAt: '2025-09-01T04:00:00Z' };

describe('freshness signatures', () => {
  it('canonical form: fixed field order, lists in list order, no whitespace', () => {
    expect(canonicalFreshnessJson({ ...unsigned, kid: 'k1' })).toBe(
      '{"v":1,"audience":"region","lists":{"benefit":7,"stoplist":42},"issuedAt":"2025-09-01T03:00:00Z","expiresAt":"2025-09-01T04:00:00Z","kid":"k1"}',
    );
  });

  it('signs, survives the wire, verifies; any change breaks it', () => {
    const msg = signFreshness(unsigned, KEY.signer);
    const wire = decodePayload(freshnessSchema, encodePayload(msg));
    expect(wire.ok).toBe(true);
    if (!wire.ok) return;
    expect(verifyFreshness(wire.value, VERIFIERS, NOW)).toEqual({ ok: true, issuedAtMs: Date.parse(unsigned.issuedAt), expiresAtMs: Date.parse(unsigned.expiresAt) });
    expect(verifyFreshness({ ...msg, lists: { ...msg.lists, stoplist: 43 } }, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyFreshness({ ...msg, audience: 'school:S1' }, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyFreshness({ ...msg, expiresAt: '2025-09-02T04:00:00Z' }, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyFreshness({ ...msg, signature: 'AAAA' }, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses unknown kids, forgers, expired messages and bad times', () => {
    const rogue = generateListSigningKey('ru-77-2025a');
    expect(verifyFreshness(signFreshness(unsigned, rogue.signer), VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyFreshness(signFreshness(unsigned, generateListSigningKey('other').signer), VERIFIERS, NOW)).toEqual({ ok: false, reason: 'unknown-kid' });
    expect(verifyFreshness(signFreshness(unsigned, KEY.signer), VERIFIERS, Date.parse(unsigned.expiresAt))).toEqual({ ok: false, reason: 'expired' });
    const backwards = signFreshness({ ...unsigned, expiresAt: '2025-09-01T02:00:00Z' }, KEY.signer);
    expect(verifyFreshness(backwards, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'times' });
  });

  it('domain separation: the same key\'s manifest signature is never a freshness signature, nor the reverse', () => {
    const m = { ...GOLDEN_MANIFEST, kid: 'ru-77-2025a' };
    const asFreshness = { ...unsigned, kid: 'ru-77-2025a' };
    // A signature over the freshness canonical bytes without the context, or with the manifest's context, is refused.
    const withManifestContext = sign(null, Buffer.from(`rescard/list-manifest/v1\n${canonicalFreshnessJson(asFreshness)}`), KEY.signer.privateKey).toString('base64');
    expect(verifyFreshness({ ...asFreshness, signature: withManifestContext }, VERIFIERS, NOW)).toEqual({ ok: false, reason: 'signature' });
    const freshSig = sign(null, Buffer.from(FRESHNESS_SIGNING_CONTEXT + JSON.stringify(m)), KEY.signer.privateKey).toString('base64');
    expect(() => verifyManifestSignature(m, freshSig, VERIFIERS)).toThrow(/does not verify/);
  });
});
