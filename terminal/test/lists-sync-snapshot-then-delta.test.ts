import { afterEach, describe, expect, it } from 'vitest';
import { makeRig, tok, type Rig } from './lists-sync-rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('list sync: a device follows the server', () => {
  it('takes the snapshot, then a one-card stop-list change inline (no HTTP), then a big change as a delta file', async () => {
    rig = await makeRig();
    const r = rig;
    await r.service.setEntries('stoplist', 'region', [{ token: tok(1), attrs: { reason: 'LOST' } }, { token: tok(2), attrs: { reason: 'FRAUD' } }]);
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 1, count: 2 });
    expect(r.requests).toEqual(['/cache/lists/region/stoplist/snapshot-1.ndjson']);

    await r.service.upsert('stoplist', 'region', [{ token: tok(3), attrs: { reason: 'STOLEN' } }]);
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 2, count: 3 });
    expect(r.store.lookup([tok(3)], ['stoplist'])).toMatchObject([{ token: tok(3), attrs: { reason: 'STOLEN' } }]);
    expect(r.requests).toHaveLength(1); // the inline delta needed no round trip

    await r.service.setEntries('stoplist', 'region', Array.from({ length: 2000 }, (_, i) => ({ token: tok(i + 10), attrs: { reason: 'LOST' } })));
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 3, count: 2000 });
    expect(r.requests.at(-1)).toBe('/cache/lists/region/stoplist/delta-2-3.ndjson');
    expect(r.applied.filter((a) => a.how !== 'freshness').map((a) => [a.version, a.how])).toEqual([[1, 'snapshot'], [2, 'inline'], [3, 'delta']]);
    expect(r.sync.counters()).toMatchObject({ 'applied:snapshot': 1, 'applied:inline': 1, 'applied:delta': 1 });
    expect(Object.keys(r.sync.counters()).filter((k) => k.startsWith('rejected'))).toEqual([]);
  });

  it('a school device takes its roster from school:<id> and the region stop-list; a bus ignores rosters', async () => {
    rig = await makeRig();
    const r = rig;
    await r.service.setEntries('roster', 'school:S1', [{ token: tok(1), attrs: { schoolId: 'S1', role: 'student' } }]);
    await r.service.setEntries('roster', 'school:S2', [{ token: tok(2), attrs: { schoolId: 'S2', role: 'student' } }]);
    await r.settle();
    expect(r.meta('roster')).toMatchObject({ version: 1, count: 1 });
    expect(r.store.lookup([tok(1), tok(2)], ['roster']).map((e) => e.token)).toEqual([tok(1)]);
  });
});
