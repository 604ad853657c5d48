/**
 * The writer thread against a real server.db (a real worker thread, its own connection): commits
 * before callbacks, payloads read over there, back-pressure bound, failed commits, a dead worker,
 * and stop. Reads go through a second connection, as the HTTP side does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePayload } from '@rescard/shared';
import type { DeviceResult, WorkItem } from '../../ports/ingest-writer.js';
import { FIXTURE_WALL_MS, makeBatch, makeGatewayBatch, makeHeartbeat, range } from '../../testing/tap-fixtures.js';
import { openServerDb } from './open-server-db.js';
import { WriterThread } from './writer-thread.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(over: { maxQueuedTaps?: number; maxGroupTaps?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-writer-'));
  const dbPath = join(dir, 'server.db');
  openServerDb(dbPath).close(); // migrated, as openServer leaves it
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) });
  const writer = await WriterThread.start({
    dbPath,
    group: { maxGroupTaps: over.maxGroupTaps ?? 4000, maxDelayMs: 0, lateAfterMs: 60_000 },
    ...(over.maxQueuedTaps === undefined ? {} : { maxQueuedTaps: over.maxQueuedTaps }),
    log: pino({ level: 'info' }, sink),
  });
  const reader = new Database(dbPath, { readonly: true });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => void reader.close());
  cleanup.push(() => writer.stop());
  const rows = (deviceId: string): number => reader.prepare('SELECT COUNT(*) AS n FROM tap WHERE device_id = ?').pluck().get(deviceId) as number;
  return { writer, rows, lines, reader };
}

/** A device batch as the ingest handler submits it: validated value and its bytes. */
function deviceItem(deviceId: string, seqs: number[], onCommitted?: (r: readonly DeviceResult[]) => void): [WorkItem, { kind: 'device'; bytes: Buffer }] {
  const batch = makeBatch(deviceId, seqs);
  return [{ receivedAtMs: FIXTURE_WALL_MS + 5000, viaGatewayId: null, batches: [batch], ...(onCommitted ? { onCommitted } : {}) }, { kind: 'device', bytes: encodePayload(batch) }];
}

const committed = (writer: WriterThread, deviceId: string, seqs: number[]): Promise<readonly DeviceResult[]> =>
  new Promise((resolve) => writer.submit(...deviceItem(deviceId, seqs, resolve)));

describe('WriterThread (the group writer in a worker thread over server.db)', () => {
  it('a batch is in server.db before its callback runs; the resend is acknowledged as duplicates', async () => {
    const { writer, rows } = await setup();
    let seenRows = -1;
    const results = await new Promise<readonly DeviceResult[]>((resolve) =>
      writer.submit(...deviceItem('bus-1', [1, 2, 3], (r) => {
        seenRows = rows('bus-1');
        resolve(r);
      })),
    );
    expect(seenRows).toBe(3);
    expect(results).toEqual([{ deviceId: 'bus-1', committedUpTo: 3, duplicates: 0 }]);
    expect(await committed(writer, 'bus-1', [1, 2, 3])).toEqual([{ deviceId: 'bus-1', committedUpTo: 3, duplicates: 3 }]);
    expect(rows('bus-1')).toBe(3);
    expect(writer.stats).toMatchObject({ taps: 6, inserted: 3, duplicates: 3 });
  });

  it("reads a gateway's batches from its payload, and keeps statuses sent as values", async () => {
    const { writer, rows, reader } = await setup();
    const gb = makeGatewayBatch('gw-1', [{ deviceId: 'gate-1', seqs: [1, 2] }, { deviceId: 'gate-2', seqs: [1, 3] }]);
    const results = await new Promise<readonly DeviceResult[]>((resolve) =>
      writer.submit({ receivedAtMs: FIXTURE_WALL_MS, viaGatewayId: 'gw-1', batches: gb.batches, onCommitted: resolve }, { kind: 'gateway', bytes: encodePayload(gb) }),
    );
    expect(results).toEqual([{ deviceId: 'gate-1', committedUpTo: 2, duplicates: 0 }, { deviceId: 'gate-2', committedUpTo: 1, duplicates: 0 }]);
    expect([rows('gate-1'), rows('gate-2')]).toEqual([2, 2]);
    expect(reader.prepare('SELECT DISTINCT via_gateway_id FROM tap').pluck().all()).toEqual(['gw-1']);
    writer.submit({ receivedAtMs: FIXTURE_WALL_MS, viaGatewayId: null, batches: [], status: makeHeartbeat('bus-9', { stoplist: 8 }) });
    await writer.drain();
    expect(reader.prepare("SELECT version FROM device_list WHERE device_id = 'bus-9' AND list = 'stoplist'").pluck().get()).toBe(8);
  });

  it('holds the broker back above its bound and lets it go under half; every item is committed once', async () => {
    const { writer, rows } = await setup({ maxQueuedTaps: 100, maxGroupTaps: 50 });
    const acks: number[] = [];
    for (let i = 0; i < 4; i++) writer.submit(...deviceItem('bus-2', range(i * 40 + 1, i * 40 + 40), (r) => acks.push(r[0]!.committedUpTo)));
    expect(writer.queued.taps).toBe(160);
    const held = writer.pressure();
    expect(held).toBeInstanceOf(Promise);
    await held;
    expect(writer.queued.taps).toBeLessThanOrEqual(50);
    await writer.drain();
    expect(writer.pressure()).toBeNull();
    expect(acks).toEqual([80, 80, 160, 160]); // two groups: a group is flushed at maxGroupTaps (50)
    expect(rows('bus-2')).toBe(160);
    expect(writer.queued).toEqual({ taps: 0, peakTaps: 160, boundTaps: 100 });
  });

  it('a commit that fails acknowledges nothing of that item, releases its place, and logs through this thread', async () => {
    const { writer, rows, lines } = await setup();
    const db = new Database(writer['options'].dbPath);
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON tap WHEN NEW.device_id = 'bad-1' BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
    db.close();
    let badAcked = false;
    writer.submit(...deviceItem('bad-1', [1], () => (badAcked = true)));
    const good = committed(writer, 'bus-3', [1, 2]);
    expect(await good).toEqual([{ deviceId: 'bus-3', committedUpTo: 2, duplicates: 0 }]);
    await writer.drain();
    expect(badAcked).toBe(false);
    expect(rows('bad-1')).toBe(0);
    expect(writer.queued.taps).toBe(0);
    expect(writer.stats.commitFailures).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l['thread'] === 'writer' && l['level'] === 50 && String(l['msg']).includes('group commit failed'))).toBe(true);
  });

  it('a worker that dies is replaced: committed taps stay, its place is released, the next items are committed by the new one', async () => {
    const { writer, rows, lines } = await setup();
    await committed(writer, 'bus-4', [1, 2]);
    await (writer['worker'] as Worker).terminate(); // as a crash would end it
    while (!lines.some((l) => String(l['msg']).includes('tap writer thread died'))) await new Promise((r) => setTimeout(r, 10));
    expect(writer.queued.taps).toBe(0);
    const after = await committed(writer, 'bus-4', [3, 4]); // waits for the new worker (~1 s)
    expect(after).toEqual([{ deviceId: 'bus-4', committedUpTo: 4, duplicates: 0 }]);
    expect(rows('bus-4')).toBe(4);
    expect(writer.thread).toEqual({ up: true, restarts: 1 });
    expect(writer.stats).toMatchObject({ messages: 2, taps: 4, inserted: 4 }); // the dead worker's counts kept
  });

  it('stop commits what was submitted before the worker ends', async () => {
    const { writer, rows } = await setup();
    const acks: number[] = [];
    for (let i = 0; i < 5; i++) writer.submit(...deviceItem('bus-5', [i + 1], (r) => acks.push(r[0]!.committedUpTo)));
    await writer.stop();
    expect(acks).toHaveLength(5); // each reports the high-water mark after its group's commit
    expect(acks.at(-1)).toBe(5);
    expect(rows('bus-5')).toBe(5);
    let late = false;
    writer.submit(...deviceItem('bus-5', [6], () => (late = true))); // after stop: not taken, never acknowledged
    await new Promise((r) => setTimeout(r, 50));
    expect([late, rows('bus-5'), writer.queued.taps]).toEqual([false, 5, 0]);
  });

  it('stop while a dead worker waits for its restart: no worker is started, what waits is not acknowledged, the process can exit', async () => {
    const { writer, rows } = await setup();
    await committed(writer, 'bus-6', [1]);
    await (writer['worker'] as Worker).terminate();
    while (writer.thread.up) await new Promise((r) => setTimeout(r, 10));
    let acked = false;
    writer.submit(...deviceItem('bus-6', [2], () => (acked = true)));
    await writer.stop();
    await new Promise((r) => setTimeout(r, 1500)); // past the 1 s restart delay
    expect(writer.thread).toEqual({ up: false, restarts: 1 });
    expect([acked, rows('bus-6'), writer.queued.taps]).toEqual([false, 1, 0]);
  });

  it('refuses to start on a file that is not a database, with SERVER_STORE_FAILURE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-writer-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'server.db');
    (await import('node:fs')).writeFileSync(bad, 'not a database, just text '.repeat(200));
    await expect(WriterThread.start({ dbPath: bad, group: { maxGroupTaps: 10, maxDelayMs: 0, lateAfterMs: 1 }, log: pino({ level: 'silent' }) })).rejects.toMatchObject({ code: 'SERVER_STORE_FAILURE' });
  });
});
