import { join } from 'node:path';
import { RescardError } from '@rescard/shared';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ListService } from '../lists/index.js';
import { openRegistryDb } from './registry-db.js';
import { KEYRING, TestClock, captureLog, filesContaining, listService, panToken, readSnapshot, recordTokens, tempDir, testPan } from './registry-fixtures.js';
import { createStopList } from './stoplist-service.js';

const HOUR = 3600_000;
const PAN = testPan(41);
const PAN2 = testPan(42);

async function rig(): Promise<{ dir: string; clock: TestClock; lists: ListService; db: Database.Database; stop: ReturnType<typeof createStopList>; logLines: string[]; close(): Promise<void> }> {
  const dir = tempDir();
  const { log, lines } = captureLog();
  const clock = new TestClock();
  const lists = await listService(dir, log, clock);
  const db = openRegistryDb(join(dir, 'registry', 'registry.db'));
  const stop = createStopList({ db, lists, keyring: KEYRING, clock, log });
  return {
    dir, clock, lists, db, stop, logLines: lines,
    async close() {
      await stop.stop();
      await lists.stop();
      db.close();
    },
  };
}

const version = (lists: ListService): number => lists.states().find((s) => s.list === 'stoplist')?.version ?? 0;

async function refused(p: Promise<unknown>): Promise<RescardError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof RescardError)) throw new Error(`expected a RescardError, got ${String(err)}`);
  return err;
}

describe('stop-list', () => {
  it('adding by PAN answers with the new version, the signed list holds the token with its reason, registry.db who/why/when', async () => {
    const r = await rig();
    const added = await r.stop.add({ pan: PAN.replace(/(\d{4})(?=\d)/g, '$1-'), reason: 'STOLEN', note: 'reported by phone', actor: 'op-boris' });
    expect(added).toEqual({ version: 1, token: panToken(PAN), kid: KEYRING.primaryKid, panMasked: `${PAN.slice(0, 6)}******${PAN.slice(-4)}`, reason: 'STOLEN', expiresAt: null });
    const snap = await readSnapshot(r.lists, 'stoplist', 'region');
    expect(snap.records).toEqual([expect.objectContaining({ card: { token: panToken(PAN) }, validTo: null, attrs: { reason: 'STOLEN' } })]);
    expect(r.stop.entry(panToken(PAN))).toMatchObject({ reason: 'STOLEN', note: 'reported by phone', addedBy: 'op-boris', addedAtMs: r.clock.now, version: 1 });
    // By token: the same card again with another reason is an update, a new version.
    const again = await r.stop.add({ token: panToken(PAN), reason: 'FRAUD', actor: 'op-vera' });
    expect(again).toMatchObject({ version: 2, panMasked: added.panMasked, reason: 'FRAUD' });
    expect(r.stop.history(panToken(PAN), 10).map((e) => [e.action, e.reason, e.actor])).toEqual([['update', 'FRAUD', 'op-vera'], ['add', 'STOLEN', 'op-boris']]);
    await r.close();
    expect(filesContaining(r.dir, [PAN])).toEqual([]);
    expect(r.logLines.filter((l) => l.includes(PAN))).toEqual([]);
  });

  it('a new region starts with a signed, empty stop-list v1 (devices are not left restricted); a restart publishes nothing new', async () => {
    const r = await rig();
    expect(version(r.lists)).toBe(0);
    await r.stop.start();
    expect(version(r.lists)).toBe(1);
    await r.lists.flush();
    const snap = await readSnapshot(r.lists, 'stoplist', 'region');
    expect(snap.manifest).toMatchObject({ list: 'stoplist', audience: 'region', version: 1, count: 0 });
    expect(snap.records).toEqual([]);
    await r.stop.stop();
    await r.stop.start();
    expect(version(r.lists)).toBe(1);
    expect((await r.stop.add({ pan: PAN, reason: 'LOST', actor: 'op-boris' })).version).toBe(2);
    await r.close();
  });

  it('list files lost but registry.db kept: the first stop-list of the new list service holds the entries in force, not nothing', async () => {
    const r = await rig();
    await r.stop.add({ pan: PAN, reason: 'STOLEN', actor: 'op-boris' });
    await r.stop.add({ pan: PAN2, reason: 'LOST', expiresAt: new Date(r.clock.now + 2 * HOUR).toISOString(), actor: 'op-boris' });
    await r.stop.stop();
    await r.lists.stop();
    // A fresh list service (lists/ gone), the same registry.db; the second entry has expired meanwhile.
    r.clock.now += 3 * HOUR;
    const lists = await listService(join(r.dir, 'restored'), captureLog().log, r.clock);
    const stop = createStopList({ db: r.db, lists, keyring: KEYRING, clock: r.clock, log: captureLog().log });
    await stop.start();
    await lists.flush();
    expect(version(lists)).toBe(1);
    expect(recordTokens((await readSnapshot(lists, 'stoplist', 'region')).records)).toEqual([panToken(PAN)]);
    await stop.stop();
    await lists.stop();
    r.db.close();
  });

  it('refuses a bad reason, a past expiry, a note holding a card number, a token of another kid, a bad Luhn PAN, and changes nothing', async () => {
    const r = await rig();
    const cases: [Promise<unknown>, string, RegExp][] = [
      [r.stop.add({ pan: PAN, reason: 'BORED', actor: 'a' }), 'REQUEST_INVALID', /reason must be one of/],
      [r.stop.add({ pan: PAN, reason: 'LOST', expiresAt: new Date(r.clock.now - 1000).toISOString(), actor: 'a' }), 'REQUEST_INVALID', /not in the future/],
      [r.stop.add({ pan: PAN, reason: 'LOST', expiresAt: 'next tuesday', actor: 'a' }), 'REQUEST_INVALID', /ISO 8601/],
      [r.stop.add({ pan: PAN, reason: 'LOST', note: `card ${PAN2} too`, actor: 'a' }), 'REQUEST_INVALID', /must not contain a card number/],
      [r.stop.add({ token: panToken(PAN), kid: 'old-1', reason: 'LOST', actor: 'a' }), 'REQUEST_INVALID', /not the current card-token key/],
      [r.stop.add({ pan: `${PAN.slice(0, 15)}${(Number(PAN.slice(15)) + 1) % 10}`, reason: 'LOST', actor: 'a' }), 'PAN_INVALID', /\*{6}.*Luhn/],
      [r.stop.add({ pan: PAN, token: panToken(PAN), reason: 'LOST', actor: 'a' }), 'REQUEST_INVALID', /exactly one of/],
    ];
    for (const [p, code, message] of cases) {
      const err = await refused(p);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(PAN);
    }
    expect(r.lists.states()).toEqual([]);
    expect(r.db.prepare('SELECT COUNT(*) AS n FROM stop_event').get()).toEqual({ n: 0 });
    await r.close();
  });

  it('an entry with an expiry carries its last local day and leaves the list when it expires (sweep, or the next change)', async () => {
    const r = await rig();
    const expiresAt = '2025-09-03T22:30:00Z'; // 01:30 on 4 September in Moscow
    const a = await r.stop.add({ pan: PAN, reason: 'LOST', expiresAt, actor: 'op' });
    expect(a).toMatchObject({ version: 1, expiresAt: '2025-09-03T22:30:00.000Z' });
    expect((await readSnapshot(r.lists, 'stoplist', 'region')).records[0]).toMatchObject({ validTo: '2025-09-04' });
    r.clock.now = Date.parse(expiresAt) - 1;
    expect(await r.stop.sweep()).toEqual({ removed: 0, version: null });
    r.clock.now = Date.parse(expiresAt);
    expect(await r.stop.sweep()).toEqual({ removed: 1, version: 2 });
    expect(r.stop.entry(panToken(PAN))).toBeNull();
    expect(r.stop.history(panToken(PAN), 5)[0]).toMatchObject({ action: 'expire', actor: 'system:expiry', version: 2 });
    expect((await readSnapshot(r.lists, 'stoplist', 'region')).records).toEqual([]);
    // At each change too: an expired entry goes before the new one is added.
    await r.stop.add({ pan: PAN, reason: 'LOST', expiresAt: new Date(r.clock.now + HOUR).toISOString(), actor: 'op' });
    r.clock.now += 2 * HOUR;
    const b = await r.stop.add({ pan: PAN2, reason: 'STOLEN', actor: 'op' });
    expect(recordTokens((await readSnapshot(r.lists, 'stoplist', 'region')).records)).toEqual([panToken(PAN2)]);
    expect(b.version).toBe(version(r.lists));
    await r.close();
  });

  it('removing by PAN or token answers with the new version; removing a card not on the list is a 404', async () => {
    const r = await rig();
    await r.stop.add({ pan: PAN, reason: 'LOST', actor: 'op' });
    await r.stop.add({ pan: PAN2, reason: 'LOST', actor: 'op' });
    expect(await r.stop.remove({ pan: PAN, actor: 'op-2', note: 'found it' })).toMatchObject({ version: 3, token: panToken(PAN), reason: 'LOST' });
    expect(await r.stop.remove({ token: panToken(PAN2), actor: 'op-2' })).toMatchObject({ version: 4, panMasked: `${PAN2.slice(0, 6)}******${PAN2.slice(-4)}` });
    const err = await refused(r.stop.remove({ pan: PAN, actor: 'op-2' }));
    expect(err).toMatchObject({ code: 'REQUEST_INVALID', details: { status: 404 } });
    expect(version(r.lists)).toBe(4);
    expect(r.stop.history(panToken(PAN), 5)[0]).toMatchObject({ action: 'remove', actor: 'op-2', note: 'found it', version: 3 });
    await r.close();
  });
});
