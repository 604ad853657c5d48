import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ListFileReader, verifyFreshness, verifyManifestSignature, type ListFileRecord } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { FakeBroker, TestClock, VERIFIERS, entry, makeService, tempDir, tok } from './list-fixtures.js';

async function readFile(path: string): Promise<{ manifest: ListFileReader['header']['manifest']; records: ListFileRecord[] }> {
  const reader = await ListFileReader.open(path);
  try {
    if (reader.header.dev) throw new Error('dev file');
    verifyManifestSignature(reader.header.manifest, reader.header.signature, VERIFIERS);
    const records: ListFileRecord[] = [];
    for await (const { record } of reader.records()) records.push(record);
    return { manifest: reader.header.manifest, records };
  } finally {
    await reader.close();
  }
}

const tokens = (records: readonly ListFileRecord[]): string[] => records.map((r) => ('token' in r.card ? `${r.op}:${r.card.token}` : '?'));

describe('list service', () => {
  it('versions strictly increase per (list, audience), persist across restarts, and skip no-op calls', async () => {
    const dir = tempDir();
    const broker = new FakeBroker();
    const s = await makeService(dir, broker, new TestClock());
    expect(await s.setEntries('stoplist', 'region', [entry(1, { reason: 'LOST' }), entry(2, { reason: 'STOLEN' })])).toBe(1);
    expect(await s.upsert('stoplist', 'region', [entry(3, { reason: 'LOST' })])).toBe(2);
    expect(await s.upsert('stoplist', 'region', [entry(3, { reason: 'LOST' })])).toBe(2); // nothing changed
    expect(await s.remove('stoplist', 'region', [tok(1)])).toBe(3);
    expect(await s.remove('stoplist', 'region', [tok(1)])).toBe(3);
    expect(await s.setEntries('roster', 'school:S1', [entry(1, { schoolId: 'S1', role: 'student' })])).toBe(1);
    await s.stop();
    const again = await makeService(dir, broker, new TestClock());
    expect(await again.upsert('stoplist', 'region', [entry(4, { reason: 'FRAUD' })])).toBe(4);
    await again.stop();
  });

  it('refuses a bad entry, a card twice, or a wrong audience, and applies nothing of the call', async () => {
    const s = await makeService(tempDir(), new FakeBroker(), new TestClock());
    await s.setEntries('stoplist', 'region', [entry(1)]);
    await expect(s.upsert('stoplist', 'region', [entry(2), { token: 'short' }])).rejects.toMatchObject({ code: 'LIST_FILE_INVALID' });
    await expect(s.upsert('stoplist', 'region', [{ token: tok(5), attrs: { colour: 'red' } as never }])).rejects.toThrow(/colour/);
    await expect(s.setEntries('stoplist', 'region', [entry(7), entry(7)])).rejects.toThrow(/twice/);
    await expect(s.upsert('roster', 'region', [entry(2)])).rejects.toThrow(/not a valid list/);
    await s.flush();
    expect(s.states()).toMatchObject([{ list: 'stoplist', version: 1, published: 1 }]);
    await s.stop();
  });

  it('builds a signed snapshot and a signed delta from the last announced version; small deltas travel inline', async () => {
    const broker = new FakeBroker();
    const s = await makeService(tempDir(), broker, new TestClock());
    await s.setEntries('stoplist', 'region', [entry(1, { reason: 'LOST' }), entry(2, { reason: 'LOST' })]);
    await s.flush();
    const first = broker.announce('region', 'stoplist');
    expect(first).toEqual({ v: 1, list: 'stoplist', audience: 'region', version: 1, snapshotUrl: 'lists/region/stoplist/snapshot-1.ndjson' });
    await s.upsert('stoplist', 'region', [entry(3, { reason: 'STOLEN' })]);
    await s.remove('stoplist', 'region', [tok(1)]);
    await s.flush();
    const a = broker.announce('region', 'stoplist');
    const at = (url: string | undefined): string => join(s.filesDir, decodeURIComponent((url ?? '').replace(/^lists\//, '')));
    const v = a?.version ?? 0;
    expect(a?.delta?.baseVersion).toBeLessThan(v);
    const snap = await readFile(at(a?.snapshotUrl));
    expect(snap.manifest).toMatchObject({ version: v, baseVersion: null, count: 2, audience: 'region' });
    expect(tokens(snap.records).sort()).toEqual([`put:${tok(2)}`, `put:${tok(3)}`].sort());
    // Coalesced or not, the chain of deltas always starts at an announced version and ends at this one.
    const delta = await readFile(at(a?.delta?.url));
    expect(delta.manifest).toMatchObject({ version: v, baseVersion: a?.delta?.baseVersion });
    expect(a?.delta?.inline).toBe(readFileSync(at(a?.delta?.url), 'utf8'));
    expect(Buffer.byteLength(a?.delta?.inline ?? '')).toBeLessThan(1200);
    await s.stop();
  });

  it('a large change goes by URL only; an unchanged list is not re-announced', async () => {
    const broker = new FakeBroker();
    const s = await makeService(tempDir(), broker, new TestClock());
    await s.setEntries('benefit', 'region', [entry(0)]);
    await s.flush();
    await s.setEntries('benefit', 'region', Array.from({ length: 1000 }, (_, i) => ({ token: tok(i), category: 'PENSIONER' })));
    await s.flush();
    const a = broker.announce('region', 'benefit');
    expect(a).toMatchObject({ version: 2, delta: { baseVersion: 1, url: 'lists/region/benefit/delta-1-2.ndjson' } });
    expect(a?.delta?.inline).toBeUndefined();
    const published = broker.log.length;
    await s.setEntries('benefit', 'region', Array.from({ length: 1000 }, (_, i) => ({ token: tok(i), category: 'PENSIONER' })));
    await s.flush();
    expect(broker.log.length).toBe(published);
    await s.stop();
  });

  it('keeps a bounded number of versions on disk', async () => {
    const s = await makeService(tempDir(), new FakeBroker(), new TestClock(), { keepVersions: 2 });
    for (let i = 1; i <= 5; i += 1) {
      await s.upsert('stoplist', 'region', [entry(i, { reason: 'LOST' })]);
      await s.flush();
    }
    const files = readdirSync(join(s.filesDir, 'region', 'stoplist')).sort();
    expect(files).toEqual(['delta-3-4.ndjson', 'delta-4-5.ndjson', 'snapshot-4.ndjson', 'snapshot-5.ndjson']);
    await s.stop();
  });

  it('publishes signed freshness per audience, and re-signs files at half their lifetime', async () => {
    const broker = new FakeBroker();
    const clock = new TestClock();
    const s = await makeService(tempDir(), broker, clock, { fileTtlMs: 4 * 3600_000 });
    await s.setEntries('stoplist', 'region', [entry(1)]);
    await s.setEntries('roster', 'school:S1', [entry(1, { schoolId: 'S1' })]);
    await s.tick();
    const f = broker.freshness('region');
    expect(f).toMatchObject({ audience: 'region', lists: { stoplist: 1 }, kid: 'srv-test' });
    expect(f && verifyFreshness(f, VERIFIERS, clock.now)).toMatchObject({ ok: true, expiresAtMs: clock.now + 3600_000 });
    expect(broker.freshness('school:S1')?.lists).toEqual({ roster: 1 });
    clock.now += 2 * 3600_000 + 1;
    await s.tick();
    const snap = join(s.filesDir, 'region', 'stoplist', 'snapshot-1.ndjson');
    expect((await readFile(snap)).manifest.expiresAt).toBe(new Date(clock.now + 4 * 3600_000).toISOString());
    expect(broker.freshness('region')?.issuedAt).toBe(new Date(clock.now).toISOString());
    expect(existsSync(snap)).toBe(true);
    await s.stop();
  });

  it('re-announces what it published after a restart (a broker without persistence forgets retained messages)', async () => {
    const dir = tempDir();
    const s = await makeService(dir, new FakeBroker(), new TestClock());
    await s.setEntries('stoplist', 'region', [entry(1)]);
    await s.upsert('stoplist', 'region', [entry(2)]);
    await s.stop();
    const broker = new FakeBroker();
    const again = await makeService(dir, broker, new TestClock());
    await again.start();
    expect(broker.announce('region', 'stoplist')?.version).toBe(2);
    expect(broker.freshness('region')?.lists).toEqual({ stoplist: 2 });
    await again.stop();
  });
});

describe('list service: delta first, snapshot after', () => {
  it('announces a change with its delta before the snapshot exists, naming only files on disk; then names the new snapshot', async () => {
    const broker = new FakeBroker();
    const seen: { version: number; snapshotUrl: string; deltaBase: number | null; inline: boolean; snapshotOnDisk: boolean; ownSnapshotOnDisk: boolean }[] = [];
    let filesDir = '';
    const onDisk = (url: string): boolean => existsSync(join(filesDir, decodeURIComponent(url.replace(/^lists\//, ''))));
    const publish: typeof broker.publish = (topic, payload, opts) => {
      const a = topic.includes('stoplist') ? JSON.parse(payload.toString('utf8')) as { version: number; snapshotUrl: string; delta?: { baseVersion: number; url: string; inline?: string } } : null;
      if (a !== null) {
        if (a.delta !== undefined) expect(onDisk(a.delta.url), a.delta.url).toBe(true);
        seen.push({
          version: a.version, snapshotUrl: a.snapshotUrl, deltaBase: a.delta?.baseVersion ?? null, inline: a.delta?.inline !== undefined,
          snapshotOnDisk: onDisk(a.snapshotUrl), ownSnapshotOnDisk: onDisk(`lists/region/stoplist/snapshot-${a.version}.ndjson`),
        });
      }
      return broker.publish(topic, payload, opts);
    };
    const s = await makeService(tempDir(), broker, new TestClock(), { publish });
    filesDir = s.filesDir;
    await s.setEntries('stoplist', 'region', Array.from({ length: 3000 }, (_, i) => entry(i, { reason: 'LOST' })));
    await s.flush();
    await s.upsert('stoplist', 'region', [entry(9999, { reason: 'STOLEN' })]);
    await s.flush();
    expect(seen.every((a) => a.snapshotOnDisk)).toBe(true);
    const v2 = seen.filter((a) => a.version === 2);
    // First: the delta (inline) with the v1 snapshot, while snapshot-2 does not exist yet.
    expect(v2[0]).toMatchObject({ snapshotUrl: 'lists/region/stoplist/snapshot-1.ndjson', deltaBase: 1, inline: true, ownSnapshotOnDisk: false });
    // Then, once built: the same version naming its own snapshot.
    expect(v2.at(-1)).toMatchObject({ snapshotUrl: 'lists/region/stoplist/snapshot-2.ndjson', deltaBase: 1, inline: true });
    expect(broker.announce('region', 'stoplist')?.snapshotUrl).toBe('lists/region/stoplist/snapshot-2.ndjson');
    // The snapshot's rows come in the device's key order (32 token bytes, bytewise).
    const snap = await readFile(join(s.filesDir, 'region', 'stoplist', 'snapshot-2.ndjson'));
    const keys = snap.records.map((r) => Buffer.from('token' in r.card ? r.card.token : '', 'base64url'));
    expect(keys.every((k, i) => i === 0 || Buffer.compare(keys[i - 1] ?? k, k) < 0)).toBe(true);
    expect(keys).toHaveLength(3001);
    await s.stop();
  });

  it('rebuilds a lost snapshot at start and announces the delta with the older snapshot meanwhile', async () => {
    const dir = tempDir();
    const broker = new FakeBroker();
    const s = await makeService(dir, broker, new TestClock());
    await s.setEntries('stoplist', 'region', [entry(1, { reason: 'LOST' })]);
    await s.flush();
    await s.upsert('stoplist', 'region', [entry(2, { reason: 'LOST' })]);
    await s.flush();
    await s.stop();
    const lost = join(s.filesDir, 'region', 'stoplist', 'snapshot-2.ndjson');
    rmSync(lost);
    const published: string[] = [];
    const b2 = new FakeBroker();
    const restarted = await makeService(dir, b2, new TestClock(), {
      publish: (t, p, o) => {
        if (t.includes('stoplist')) published.push((JSON.parse(p.toString('utf8')) as { snapshotUrl: string }).snapshotUrl);
        return b2.publish(t, p, o);
      },
    });
    await restarted.start();
    await restarted.flush();
    expect(published[0]).toBe('lists/region/stoplist/snapshot-1.ndjson');
    expect(published.at(-1)).toBe('lists/region/stoplist/snapshot-2.ndjson');
    expect(existsSync(lost)).toBe(true);
    await restarted.stop();
  });
});
