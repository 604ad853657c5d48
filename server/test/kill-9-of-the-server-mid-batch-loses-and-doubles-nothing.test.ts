/**
 * The built server (`rescard-server start`, dist/main.js: run `tsc -b` first) is killed with
 * SIGKILL while devices stream batches; restarted on the same data folder, it must still hold
 * every tap it acknowledged, and after the devices resend everything unacked, every tap is in
 * server.db exactly once with no gap left.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodePayload, topics } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { makeBatch, range } from '../src/testing/tap-fixtures.js';
import { adminToken, connect, killHard, spawnServer, stopGracefully, tempDir, until } from './helpers/harness.js';

const DEVICES = ['bus-a', 'bus-b', 'bus-c', 'bus-d'];
const TAPS = 3000;
const BATCH = 50;

/** One device: publishes its batches (8 in flight, paced by app acks) from `fromSeq`; tracks its acked high-water mark. */
async function stream(port: number, deviceId: string, fromSeq: number, acked: Map<string, number>): Promise<void> {
  const client = await connect(port, deviceId);
  let dead = false;
  client.on('error', () => undefined);
  client.on('close', () => (dead = true));
  let acks = 0;
  client.on('message', (_t, p) => {
    const ack = JSON.parse(p.toString()) as { committedUpTo: number };
    acked.set(deviceId, Math.max(acked.get(deviceId) ?? 0, ack.committedUpTo));
    acks += 1;
  });
  await client.subscribeAsync(topics.deviceAck(deviceId), { qos: 1 });
  const batches: number[][] = [];
  for (let s = fromSeq; s <= TAPS; s += BATCH) batches.push(range(s, Math.min(s + BATCH - 1, TAPS)));
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
  for (let i = 0; i < batches.length && !dead; i++) {
    while (i - acks >= 8 && !dead) await pause();
    client.publish(topics.deviceTaps(deviceId), encodePayload(makeBatch(deviceId, batches[i]!, `b-${batches[i]![0]!}`)), { qos: 1 });
  }
  const deadline = Date.now() + 20_000;
  while (!dead && (acked.get(deviceId) ?? 0) < TAPS && Date.now() < deadline) await pause();
  client.end(true);
}

describe('kill -9 of the server mid-batch', () => {
  it('keeps every acked tap, and every tap is stored exactly once after the resend', async () => {
    const dataDir = tempDir();
    const first = await spawnServer(dataDir);
    const acked = new Map<string, number>();
    const running = DEVICES.map((d) => stream(first.ports.mqtt, d, 1, acked));
    await until(() => [...acked.values()].reduce((a, b) => a + b, 0), (n) => n >= 2000, 20_000);
    await killHard(first.child);
    await Promise.all(running);
    const ackedBeforeKill = new Map(acked);
    expect([...acked.values()].reduce((a, b) => a + b, 0)).toBeLessThan(DEVICES.length * TAPS); // killed mid-stream

    const second = await spawnServer(dataDir);
    try {
      const res = await fetch(`http://127.0.0.1:${second.ports.http}/api/devices`, { headers: { authorization: `Bearer ${adminToken(dataDir)}` } });
      const { devices } = (await res.json()) as { devices: { deviceId: string; seq: { committedUpTo: number } | null }[] };
      for (const d of DEVICES) {
        expect(devices.find((x) => x.deviceId === d)?.seq?.committedUpTo ?? 0, d).toBeGreaterThanOrEqual(ackedBeforeKill.get(d) ?? 0);
      }
      // Resend everything unacked (whole batches from the acked mark: some are duplicates).
      await Promise.all(DEVICES.map((d) => stream(second.ports.mqtt, d, Math.floor((ackedBeforeKill.get(d) ?? 0) / BATCH) * BATCH + 1, acked)));
      for (const d of DEVICES) expect(acked.get(d), d).toBe(TAPS);
    } finally {
      await stopGracefully(second.child);
    }
    const db = new Database(join(dataDir, 'server.db'), { readonly: true });
    const rows = db.prepare('SELECT device_id AS d, COUNT(*) AS n, COUNT(DISTINCT seq) AS k, MIN(seq) AS lo, MAX(seq) AS hi FROM tap GROUP BY device_id ORDER BY device_id').all();
    const openGaps = db.prepare('SELECT COUNT(*) FROM seq_gap WHERE closed_at_ms IS NULL').pluck().get();
    db.close();
    expect(rows).toEqual(DEVICES.map((d) => ({ d, n: TAPS, k: TAPS, lo: 1, hi: TAPS })));
    expect(openGaps).toBe(0);
  });
});
