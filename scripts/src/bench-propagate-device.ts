/**
 * bench:propagate, device side: a list reaching one device's list store (a real SQLite file).
 *
 *   snapshot: the device's sync client (applyAnnouncement: HTTP GET, Ed25519 manifest against the
 *             pinned key, SHA-256 + count of the payload, every line parsed, atomic swap) brings
 *             a store holding N entries to a new N-entry snapshot, served over real HTTP (node:http
 *             on port 0, streaming the file like the server's list route).
 *   first:    the same snapshot onto an empty store (a new or re-provisioned device: no old rows
 *             to delete), a fresh database file per round.
 *   delta:    the same client applies a signed M-entry delta (half puts of new cards, a quarter
 *             changed, a quarter deleted; too big to travel inline, so fetched by URL) on top:
 *             from the announcement until every lookup answers with the delta.
 *   fold:     then the device's background work folding that delta's pending rows into the
 *             1M-row list (compact in the compactor's 256-row steps, pauses left out): its
 *             total and its longest step (how long one step can hold a tap).
 *   drop:     likewise after each swap, deleting the replaced snapshot's 1M rows (4,096-row steps).
 *   stall:    the longest the event loop was blocked during the swap and during the delta
 *             (monitorEventLoopDelay): how long a tap arriving then could wait.
 *   baselines (same run, same files, same machine): a bare HTTP download + SHA-256 of the same
 *             file; a bare better-sqlite3 insert of the same rows (pre-built parameters, one
 *             prepared single-row statement, one transaction) into an empty table of the same
 *             shape on a fresh file with the device's pragmas; for the delta, a bare download and
 *             a bare upsert/delete of its rows, one transaction, into a copy of the device file
 *             taken just before the real delta (the same N rows: the same pages to read and write).
 * Files are written once (signed, rows in the device's key order, as the server writes them);
 * between rounds the store's recorded version is set back so the same file applies again.
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, createReadStream, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, createListVerifiers, generateListSigningKey, writeListFile, type ListAnnounce, type ListFileRecord,
} from '@rescard/shared';
import { SqliteListStore, openDeviceDb, syntheticEntry, type CompactLimits, type ListEntry } from '@rescard/terminal';
import { applyAnnouncement, type ApplyContext } from '../../terminal/dist/sync/lists-apply.js';
import { median, round } from './bench-stats.js';

export interface DeviceFigures {
  readonly snapshotMs: number;
  /** The same snapshot onto an empty store. */
  readonly firstSnapshotMs: number;
  readonly snapshotBaseline: { readonly downloadSha256Ms: number; readonly bareInsertMs: number; readonly sumMs: number };
  readonly deltaMs: number;
  readonly deltaBaseline: { readonly downloadSha256Ms: number; readonly bareApplyMs: number; readonly sumMs: number };
  /** The longest the event loop was blocked while the swap / the delta ran: how long a tap could wait. */
  readonly longestStallMs: { readonly snapshot: number; readonly delta: number };
  /** Folding the delta's pending rows into the list afterwards, off the delta's path. */
  readonly fold: Housekeeping;
  /** Deleting the replaced snapshot's rows after a swap, off the swap's path. */
  readonly drop: Housekeeping;
  readonly snapshotBytes: number;
  readonly deltaBytes: number;
}

const keyOf = (token: string): Buffer => Buffer.from(token, 'base64url');
const put = (e: ListEntry): ListFileRecord => ({ op: 'put', card: { token: e.token }, category: e.category, validFrom: e.validFrom, validTo: e.validTo, attrs: e.attrs });
const row = (e: ListEntry): [Buffer, string | null, string | null, string | null, string | null] =>
  [keyOf(e.token), e.category, e.validFrom, e.validTo, Object.keys(e.attrs).length === 0 ? null : JSON.stringify(e.attrs)];

function sortedEntries(n: number, seed: string): ListEntry[] {
  return Array.from({ length: n }, (_, i) => syntheticEntry('benefit', i, seed)).sort((a, b) => Buffer.compare(keyOf(a.token), keyOf(b.token)));
}

function deltaRecords(n: number, m: number): ListFileRecord[] {
  const out: ListFileRecord[] = [];
  for (let i = 0; i < m; i += 1) {
    if (i % 4 === 0) out.push({ op: 'del', card: { token: syntheticEntry('benefit', i * 7).token } });
    else if (i % 4 === 1) out.push(put({ ...syntheticEntry('benefit', i * 7 + 1), category: 'CHANGED' }));
    else out.push(put(syntheticEntry('benefit', n + i, 'bench-delta-new')));
  }
  return out;
}

async function serve(files: Map<string, string>): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = files.get(req.url ?? '');
    if (path === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function downloadSha256(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  const hash = createHash('sha256');
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
  hash.digest('hex');
  return performance.now() - t;
}

function bareDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -8192');
  db.pragma('mmap_size = 0');
  db.exec(`CREATE TABLE list_entry (list TEXT NOT NULL, gen INTEGER NOT NULL, token BLOB NOT NULL, category TEXT, valid_from TEXT, valid_to TEXT,
    attrs TEXT, PRIMARY KEY (list, gen, token)) WITHOUT ROWID`);
  return db;
}

function bareInsert(dir: string, rows: readonly ReturnType<typeof row>[], r: number): number {
  const path = join(dir, `bare-${r}.db`);
  const db = bareDb(path);
  const ins = db.prepare('INSERT INTO list_entry VALUES (?, 1, ?, ?, ?, ?, ?)');
  const t = performance.now();
  db.transaction(() => {
    for (const x of rows) ins.run('benefit', x[0], x[1], x[2], x[3], x[4]);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ms = performance.now() - t;
  db.close();
  rmSync(path, { force: true });
  return ms;
}

type DeltaRow = { del: Buffer } | { put: ListFileRecord };

/** The bare delta: its rows upserted/deleted one statement each, one transaction, into a copy of the device file. */
function bareDelta(path: string, deltaRows: readonly DeltaRow[]): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -8192');
  db.pragma('mmap_size = 0');
  const gen = (db.prepare("SELECT gen FROM list_meta WHERE list = 'benefit'").get() as { gen: number }).gen;
  const up = db.prepare(`INSERT INTO list_entry VALUES ('benefit', ${gen}, ?, ?, ?, ?, ?) ON CONFLICT (list, gen, token) DO UPDATE SET
    category = excluded.category, valid_from = excluded.valid_from, valid_to = excluded.valid_to, attrs = excluded.attrs`);
  const del = db.prepare(`DELETE FROM list_entry WHERE list = 'benefit' AND gen = ${gen} AND token = ?`);
  const t = performance.now();
  db.transaction(() => {
    for (const x of deltaRows) {
      if ('del' in x) del.run(x.del);
      else if (x.put.op === 'put') up.run(...row({ list: 'benefit', token: 'token' in x.put.card ? x.put.card.token : '', category: x.put.category, validFrom: x.put.validFrom, validTo: x.put.validTo, attrs: x.put.attrs }));
    }
  }).immediate();
  const ms = performance.now() - t;
  db.close();
  return ms;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Start watching the event loop; the returned function stops and gives the longest stall (ms). */
function stallWatch(): () => number {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return () => {
    h.disable();
    return h.max / 1e6;
  };
}

type Housekeeping = { readonly totalMs: number; readonly steps: number; readonly maxStepMs: number };

/** The device compactor's work, all of it, in its step sizes (pauses left out): total and longest step. */
function housekeeping(store: SqliteListStore, limits: CompactLimits): Housekeeping {
  let steps = 0;
  let maxStepMs = 0;
  const t = performance.now();
  for (;;) {
    const s = performance.now();
    const rows = store.compact(limits);
    maxStepMs = Math.max(maxStepMs, performance.now() - s);
    if (rows === 0) break;
    steps += 1;
  }
  return { totalMs: performance.now() - t, steps, maxStepMs };
}

const medianHousekeeping = (xs: readonly Housekeeping[]): Housekeeping => ({
  totalMs: round(median(xs.map((x) => x.totalMs))), steps: median(xs.map((x) => x.steps)), maxStepMs: round(median(xs.map((x) => x.maxStepMs))),
});

/** The snapshot onto a new, empty device database (what a new validator does first). */
async function firstSnapshot(path: string, announce: ListAnnounce, ctx: ApplyContext): Promise<number> {
  const device = openDeviceDb(path);
  try {
    const t = performance.now();
    const s = await applyAnnouncement(announce, 0, { ...ctx, load: { ...ctx.load, store: new SqliteListStore(device) } });
    const ms = performance.now() - t;
    if (s.steps[0]?.applied.meta.version !== 2) throw new Error('first snapshot not applied');
    return ms;
  } finally {
    device.close();
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
  }
}

export async function deviceRounds(o: { entries: number; deltaEntries: number; rounds: number; log: (line: string) => void }): Promise<DeviceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-bench-device-'));
  const key = generateListSigningKey('bench');
  const files = new Map<string, string>();
  const http = await serve(files);
  try {
    const issued = new Date().toISOString().slice(0, 19) + 'Z';
    const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 19) + 'Z';
    const draft = { list: 'benefit' as const, audience: 'region', issuedAt: issued, expiresAt: expires };
    let t = performance.now();
    const entries = sortedEntries(o.entries, 'rescard-bench');
    const snapshotPath = join(dir, 'snapshot-2.ndjson');
    await writeListFile(snapshotPath, { ...draft, version: 2, baseVersion: null }, entries.map(put), key.signer);
    const deltaPath = join(dir, 'delta-2-3.ndjson');
    await writeListFile(deltaPath, { ...draft, version: 3, baseVersion: 2 }, deltaRecords(o.entries, o.deltaEntries), key.signer);
    files.set('/lists/region/benefit/snapshot-2.ndjson', snapshotPath);
    files.set('/lists/region/benefit/delta-2-3.ndjson', deltaPath);
    o.log(`device: wrote a signed ${o.entries}-entry snapshot (${statSync(snapshotPath).size} B) and a ${o.deltaEntries}-entry delta in ${Math.round(performance.now() - t)} ms`);

    const device = openDeviceDb(join(dir, 'device.db'));
    const store = new SqliteListStore(device);
    const ctx: ApplyContext = {
      load: {
        store, keyring: TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG), verifiers: createListVerifiers({ bench: key.publicKeyPem }),
        allowDev: false, audiences: ['region'],
      },
      now: () => Date.now(), baseUrl: http.baseUrl,
      download: { tmpDir: dir, timeoutMs: 300_000, maxBytes: 2 * 1024 ** 3 },
      refused: (step, reason, _transient, err) => { throw new Error(`${step} refused (${reason}): ${String(err)}`); },
    };
    const snapAnnounce: ListAnnounce = { v: 1, list: 'benefit', audience: 'region', version: 2, snapshotUrl: 'lists/region/benefit/snapshot-2.ndjson' };
    const deltaAnnounce: ListAnnounce = { ...snapAnnounce, version: 3, delta: { baseVersion: 2, url: 'lists/region/benefit/delta-2-3.ndjson' } };
    const setVersion = (v: number): void => void device.db.prepare("UPDATE list_meta SET version = ? WHERE list = 'benefit'").run(v);
    // Hold an N-entry list first, so each round is a swap over a full list, as on a device.
    await applyAnnouncement(snapAnnounce, 0, ctx);
    housekeeping(store, { foldRows: 0, dropRows: 4096 });
    const rows = entries.map(row);
    const snap: number[] = [];
    const snapBase: { dl: number; ins: number }[] = [];
    const delta: number[] = [];
    const deltaBase: { dl: number; apply: number }[] = [];
    const deltaRows = deltaRecords(o.entries, o.deltaEntries).map((r) => (r.op === 'del' ? { del: keyOf('token' in r.card ? r.card.token : '') } : { put: r }));
    const first: number[] = [];
    const folds: Housekeeping[] = [];
    const snapStall: number[] = [];
    const deltaStall: number[] = [];
    const drops: Housekeeping[] = [];
    for (let r = 0; r < o.rounds; r += 1) {
      first.push(await firstSnapshot(join(dir, `first-${r}.db`), snapAnnounce, ctx));
      setVersion(1);
      t = performance.now();
      let stall = stallWatch();
      const s = await applyAnnouncement(snapAnnounce, 1, ctx);
      snap.push(performance.now() - t);
      snapStall.push(stall());
      if (s.steps[0]?.applied.meta.version !== 2) throw new Error('snapshot not applied');
      drops.push(housekeeping(store, { foldRows: 0, dropRows: 4096 }));
      // The bare delta's database: a copy of the device file as the real delta finds it.
      device.db.pragma('wal_checkpoint(TRUNCATE)');
      const barePath = join(dir, `bare-delta-${r}.db`);
      copyFileSync(join(dir, 'device.db'), barePath);
      syncFile(barePath); // the copy's 80 MB writeback would otherwise queue ahead of the delta's fsync
      t = performance.now();
      stall = stallWatch();
      const d = await applyAnnouncement(deltaAnnounce, 2, ctx);
      delta.push(performance.now() - t);
      deltaStall.push(stall());
      if (d.steps[0]?.step !== 'delta') throw new Error('delta not applied');
      folds.push(housekeeping(store, { foldRows: 256, dropRows: 0 }));
      snapBase.push({ dl: await downloadSha256(`${http.baseUrl}lists/region/benefit/snapshot-2.ndjson`), ins: bareInsert(dir, rows, r) });
      const dl = await downloadSha256(`${http.baseUrl}lists/region/benefit/delta-2-3.ndjson`);
      deltaBase.push({ dl, apply: bareDelta(barePath, deltaRows) });
      rmSync(barePath, { force: true });
      o.log(`device round ${r + 1}: snapshot onto an empty store ${round(first[r] ?? 0)} ms; swap over ${o.entries} held entries ${round(snap[r] ?? 0)} ms (longest stall ${round(snapStall[r] ?? 0)} ms; old rows dropped afterwards in ${round(drops[r]?.totalMs ?? 0)} ms, longest step ${round(drops[r]?.maxStepMs ?? 0)} ms; bare download+sha256 ${round(snapBase[r]?.dl ?? 0)} ms, bare insert ${round(snapBase[r]?.ins ?? 0)} ms); delta ${round(delta[r] ?? 0)} ms (longest stall ${round(deltaStall[r] ?? 0)} ms; bare download+sha256 ${round(dl)} ms, bare apply ${round(deltaBase[r]?.apply ?? 0)} ms); fold afterwards ${round(folds[r]?.totalMs ?? 0)} ms in ${folds[r]?.steps ?? 0} steps, longest ${round(folds[r]?.maxStepMs ?? 0)} ms`);
    }
    device.close();
    const dlS = median(snapBase.map((x) => x.dl));
    const insS = median(snapBase.map((x) => x.ins));
    const dlD = median(deltaBase.map((x) => x.dl));
    const apD = median(deltaBase.map((x) => x.apply));
    return {
      snapshotMs: round(median(snap)),
      firstSnapshotMs: round(median(first)),
      snapshotBaseline: { downloadSha256Ms: round(dlS), bareInsertMs: round(insS), sumMs: round(dlS + insS) },
      deltaMs: round(median(delta)),
      deltaBaseline: { downloadSha256Ms: round(dlD), bareApplyMs: round(apD), sumMs: round(dlD + apD) },
      longestStallMs: { snapshot: round(median(snapStall)), delta: round(median(deltaStall)) },
      fold: medianHousekeeping(folds),
      drop: medianHousekeeping(drops),
      snapshotBytes: statSync(snapshotPath).size,
      deltaBytes: statSync(deltaPath).size,
    };
  } finally {
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
