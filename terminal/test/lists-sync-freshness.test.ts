import { encodePayload, signFreshness, topics } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, ROGUE, T0, makeRig, tok, type Rig } from './lists-sync-rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const HOUR = 3600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('list sync: signed freshness', () => {
  it('extends the held version only, only forward; refuses forged, expired and other-audience freshness', async () => {
    rig = await makeRig();
    const r = rig;
    await r.service.setEntries('stoplist', 'region', [{ token: tok(1), attrs: { reason: 'LOST' } }]);
    await r.settle();
    const fileExpiry = T0 + 24 * HOUR;
    expect(r.meta('stoplist')?.expiresAtMs).toBe(fileExpiry);

    r.clock.now = T0 + 23.5 * HOUR; // the server's periodic tick: re-signed freshness, 1 h ahead
    await r.service.tick();
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 1, expiresAtMs: r.clock.now + HOUR });
    expect(r.applied.at(-1)).toMatchObject({ list: 'stoplist', version: 1, how: 'freshness', expiresAtMs: r.clock.now + HOUR });
    const extended = r.meta('stoplist')?.expiresAtMs ?? 0;

    const send = (audience: string, lists: Record<string, number>, issuedMs: number, expiresMs: number, signer = KEY.signer, topicAudience = audience): void =>
      r.deliver(topics.freshness(topicAudience), encodePayload(signFreshness({ v: 1, audience, lists, issuedAt: iso(issuedMs), expiresAt: iso(expiresMs) }, signer)));
    const now = r.clock.now;
    send('region', { stoplist: 1 }, now, now + 5 * HOUR, ROGUE.signer);
    send('region', { stoplist: 1 }, now - 3 * HOUR, now - HOUR);
    send('school:S1', { stoplist: 1 }, now, now + 5 * HOUR, KEY.signer, 'region');
    send('school:S2', { roster: 1 }, now, now + 5 * HOUR, KEY.signer, 'region');
    r.deliver(topics.freshness('region'), '{"v":1}');
    expect(r.meta('stoplist')?.expiresAtMs).toBe(extended);

    send('region', { stoplist: 2 }, now, now + 5 * HOUR); // a version the device does not hold
    send('region', { stoplist: 1 }, now - HOUR, now + HOUR / 2); // earlier than what it holds
    expect(r.meta('stoplist')?.expiresAtMs).toBe(extended);
    send('region', { stoplist: 1 }, now, now + 2 * HOUR);
    expect(r.meta('stoplist')?.expiresAtMs).toBe(now + 2 * HOUR);
    expect(r.sync.counters()).toMatchObject({
      'rejected:freshness:signature': 1, 'rejected:freshness:expired': 1, 'rejected:freshness:topic-mismatch': 2, 'rejected:freshness:schema': 1, extended: 2,
    });
  });

  it('a freshness that arrives before its version is applied is kept and applied after', async () => {
    rig = await makeRig();
    const r = rig;
    await r.service.setEntries('stoplist', 'region', [{ token: tok(1) }]);
    await r.settle();
    const now = r.clock.now;
    r.deliver(topics.freshness('region'), encodePayload(signFreshness({ v: 1, audience: 'region', lists: { stoplist: 2 }, issuedAt: iso(now), expiresAt: iso(now + 30 * HOUR) }, KEY.signer)));
    await r.service.upsert('stoplist', 'region', [{ token: tok(2) }]); // its own freshness expires in 1 h; the kept one in 30
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 2, expiresAtMs: now + 30 * HOUR });
  });
});
