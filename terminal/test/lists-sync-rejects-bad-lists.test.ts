import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics, type ListAnnounce } from '@rescard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ROGUE, makeRig, tok, type Rig } from './lists-sync-rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const put = (t: string): { op: 'put'; card: { token: string }; category: null; validFrom: null; validTo: null; attrs: { reason: string } } => ({
  op: 'put', card: { token: t }, category: null, validFrom: null, validTo: null, attrs: { reason: 'LOST' },
});
const draft = (version: number, baseVersion: number | null, more: Record<string, string> = {}): {
  list: 'stoplist'; audience: string; version: number; baseVersion: number | null; issuedAt: string; expiresAt: string;
} => ({ list: 'stoplist', audience: 'region', version, baseVersion, issuedAt: '2025-09-03T11:00:00Z', expiresAt: '2025-09-04T11:00:00Z', ...more });
const ann = (version: number, snapshot: string, delta?: ListAnnounce['delta']): ListAnnounce => ({
  v: 1, list: 'stoplist', audience: 'region', version, snapshotUrl: `lists/extra/${snapshot}`, ...(delta ? { delta } : {}),
});

async function holdingV1(): Promise<Rig> {
  const r = await makeRig();
  await r.service.setEntries('stoplist', 'region', [{ token: tok(1), attrs: { reason: 'LOST' } }]);
  await r.settle();
  expect(r.meta('stoplist')?.version).toBe(1);
  return r;
}

describe('list sync: what a device refuses', () => {
  it('a delta on another base falls back to the snapshot; a forged inline delta too', async () => {
    rig = await holdingV1();
    const r = rig;
    await r.writeFile('snap-5.ndjson', draft(5, null), [put(tok(1)), put(tok(5))]);
    await r.writeFile('delta-4-5.ndjson', draft(5, 4), [put(tok(5))]);
    r.announce(ann(5, 'snap-5.ndjson', { baseVersion: 4, url: 'lists/extra/delta-4-5.ndjson' }));
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 5, count: 2 });
    expect(r.requests.at(-1)).toBe('/cache/lists/extra/snap-5.ndjson');

    await r.writeFile('forged-5-6.ndjson', draft(6, 5), [put(tok(6))], ROGUE.signer);
    await r.writeFile('snap-6.ndjson', draft(6, null), [put(tok(1)), put(tok(5)), put(tok(7))]);
    const inline = readFileSync(join(r.extraDir, 'forged-5-6.ndjson'), 'utf8');
    r.announce(ann(6, 'snap-6.ndjson', { baseVersion: 5, url: 'lists/extra/forged-5-6.ndjson', inline }));
    await r.settle();
    expect(r.meta('stoplist')).toMatchObject({ version: 6, count: 3 });
    expect(r.store.lookup([tok(6)], ['stoplist'])).toEqual([]);
    expect(r.sync.counters()).toMatchObject({ 'rejected:inline:signature': 1, 'rejected:delta:signature': 1, 'applied:snapshot': 3 });
  });

  it('forged, rolled-back, expired, other-audience, mislabelled and off-site lists change nothing, and nothing crashes', async () => {
    rig = await holdingV1();
    const r = rig;
    const before = r.store.meta();
    await r.writeFile('forged-9.ndjson', draft(9, null), [put(tok(9))], ROGUE.signer);
    r.announce(ann(9, 'forged-9.ndjson'));
    await r.writeFile('expired-9.ndjson', draft(9, null, { issuedAt: '2025-09-01T00:00:00Z', expiresAt: '2025-09-02T00:00:00Z' }), [put(tok(9))]);
    r.announce(ann(9, 'expired-9.ndjson'));
    await r.writeFile('school-9.ndjson', { ...draft(9, null), list: 'stoplist' }, [put(tok(9))]);
    // Announced as v8, the genuine file says v9: a snapshot newer than its announcement is refused
    // (an older one is what a delta-first announcement names, ADR 0004).
    r.announce(ann(8, 'school-9.ndjson'));
    r.announce({ ...ann(9, 'x.ndjson'), snapshotUrl: 'http://evil.example/lists/region/stoplist/snapshot-9.ndjson' });
    r.announce({ ...ann(9, 'x.ndjson'), snapshotUrl: '../../../etc/passwd' });
    r.deliver(topics.list('region', 'stoplist'), JSON.stringify({ ...ann(9, 'x.ndjson'), audience: 'school:S1' }));
    r.deliver(topics.list('school:S1', 'roster'), JSON.stringify(ann(9, 'x.ndjson')));
    r.deliver(topics.list('region', 'stoplist'), '{not json');
    r.deliver(topics.list('region', 'stoplist'), Buffer.alloc(2 * 1024 * 1024));
    await r.settle();
    // Rolled back: the server's own genuine v1 announced again below a device now at v2.
    await r.service.upsert('stoplist', 'region', [{ token: tok(2), attrs: { reason: 'LOST' } }]);
    await r.settle();
    r.announce(ann(1, 'x.ndjson'));
    await r.settle();
    expect(r.meta('stoplist')?.version).toBe(2);
    expect(r.store.lookup([tok(9)], ['stoplist'])).toEqual([]);
    expect(before).toHaveLength(1);
    expect(r.sync.counters()).toMatchObject({
      'rejected:snapshot:signature': 1,
      'rejected:snapshot:expired': 1,
      'rejected:snapshot:mismatch': 1,
      'rejected:snapshot:url': 2,
      'rejected:announce:topic-mismatch': 2,
      'rejected:announce:json': 1,
      'rejected:announce:too-large': 1,
      'rejected:announce:rollback': 1,
    });
  });

  it('a device does not even subscribe another audience\'s lists', async () => {
    rig = await makeRig({ audiences: ['region'] });
    const r = rig;
    await r.writeFile('s1.ndjson', { list: 'roster', audience: 'school:S1', version: 1, baseVersion: null, issuedAt: '2025-09-03T11:00:00Z', expiresAt: '2025-09-04T11:00:00Z' }, []);
    const a = { v: 1, list: 'roster', audience: 'school:S1', version: 1, snapshotUrl: 'lists/extra/s1.ndjson' };
    r.deliver(topics.list('school:S1', 'roster'), JSON.stringify(a));
    await r.settle();
    expect(r.meta('roster')).toBeUndefined();
    expect(r.sync.counters()).toEqual({});
  });
});
