/** applyAnnouncement against real HTTP (node:http on port 0), real signed files and a real SQLite list store. */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { ListAnnounce } from '@rescard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeviceDb, type DeviceDb } from '../adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../adapters/sqlite/sqlite-list-store.js';
import { draft, options, put, tempPath, tok, writeSigned } from '../lists/list-file-fixtures.js';
import { applyAnnouncement, snapshotVersionHint, type ApplyContext } from './lists-apply.js';

const files = new Map<string, string>(); // URL path -> file
const requests: string[] = [];
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = files.get(req.url ?? '');
    if (path === undefined || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
const dbs: DeviceDb[] = [];
afterAll(async () => {
  for (const db of dbs.splice(0)) db.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const snapshot = (v: number): Promise<string> => writeSigned(draft('stoplist', v), [put(tok(`s${v}`), { attrs: { reason: 'LOST' } })]);
const delta = (base: number, v: number): Promise<string> => writeSigned(draft('stoplist', v, base), [put(tok(`d${v}`), { attrs: { reason: 'FRAUD' } })]);
const serve = (name: string, path: string): string => {
  files.set(`/lists/region/stoplist/${name}`, path);
  return `lists/region/stoplist/${name}`;
};

function device(): { store: SqliteListStore; ctx: ApplyContext; refused: string[] } {
  const dbPath = tempPath('device.db');
  const db = openDeviceDb(dbPath);
  dbs.push(db);
  const store = new SqliteListStore(db);
  const refused: string[] = [];
  const { nowMs, ...load } = options(store);
  const ctx: ApplyContext = {
    load, now: () => nowMs, baseUrl,
    download: { tmpDir: dirname(dbPath), timeoutMs: 10_000, maxBytes: 1 << 20 },
    refused: (step, reason) => void refused.push(`${step}:${reason}`),
  };
  return { store, ctx, refused };
}

const version = (store: SqliteListStore): number => store.meta().find((m) => m.list === 'stoplist')?.version ?? 0;

describe('applyAnnouncement: a version announced with its delta before its own snapshot exists', () => {
  it('a new device takes the older snapshot the announcement names, then the inline delta on top of it', async () => {
    const d = await delta(2, 3);
    const a: ListAnnounce = {
      v: 1, list: 'stoplist', audience: 'region', version: 3, snapshotUrl: serve('snapshot-2.ndjson', await snapshot(2)),
      delta: { baseVersion: 2, url: serve('delta-2-3.ndjson', d), inline: readFileSync(d, 'utf8') },
    };
    const { store, ctx, refused } = device();
    const out = await applyAnnouncement(a, 0, ctx);
    expect(out.steps.map((s) => `${s.step}:v${s.applied.meta.version}`)).toEqual(['snapshot:v2', 'inline:v3']);
    expect(out).toMatchObject({ transient: false, behind: false });
    expect(refused).toEqual([]);
    expect(store.lookup([tok('s2'), tok('d3')], ['stoplist']).map((e) => e.attrs.reason).sort()).toEqual(['FRAUD', 'LOST']);
  });

  it('a device further behind takes the older snapshot and reports behind; one at that snapshot downloads nothing', async () => {
    const a: ListAnnounce = {
      v: 1, list: 'stoplist', audience: 'region', version: 5, snapshotUrl: serve('snapshot-4.ndjson', await snapshot(4)),
      delta: { baseVersion: 4, url: serve('delta-4-5.ndjson', await delta(4, 5)) },
    };
    const older: ListAnnounce = { ...a, version: 6, delta: { baseVersion: 5, url: serve('delta-5-6.ndjson', await delta(5, 6)) } };
    const { store, ctx } = device();
    const first = await applyAnnouncement(older, 0, ctx);
    expect(first.steps.map((s) => s.step)).toEqual(['snapshot']);
    expect(first).toMatchObject({ behind: true, transient: false });
    expect(version(store)).toBe(4);
    requests.length = 0;
    const again = await applyAnnouncement(older, 4, ctx);
    expect(again).toMatchObject({ steps: [], behind: true });
    expect(requests).toEqual([]); // snapshot-4 is what it holds: not fetched again
    const caughtUp = await applyAnnouncement(a, 4, ctx); // delta 4 -> 5 by URL (no inline)
    expect(caughtUp.steps.map((s) => s.step)).toEqual(['delta']);
    expect(version(store)).toBe(5);
  });

  it('refuses a snapshot newer than the announced version or a delta under the snapshot URL', async () => {
    const { store, ctx, refused } = device();
    const newer: ListAnnounce = { v: 1, list: 'stoplist', audience: 'region', version: 7, snapshotUrl: serve('snapshot-7.ndjson', await snapshot(8)) };
    expect(await applyAnnouncement(newer, 0, ctx)).toMatchObject({ steps: [], behind: false });
    const disguised: ListAnnounce = { ...newer, snapshotUrl: serve('snapshot-6.ndjson', await delta(1, 7)) };
    expect(await applyAnnouncement(disguised, 0, ctx)).toMatchObject({ steps: [] });
    expect(refused).toEqual(['snapshot:mismatch', 'snapshot:mismatch']);
    expect(version(store)).toBe(0);
  });

  it('reads a snapshot version hint only from a snapshot file name', () => {
    expect(snapshotVersionHint('lists/region/stoplist/snapshot-12.ndjson')).toBe(12);
    expect(snapshotVersionHint('lists/region/stoplist/delta-1-12.ndjson')).toBeNull();
    expect(snapshotVersionHint('lists/region/stoplist/snapshot-012.ndjson')).toBeNull();
  });
});
