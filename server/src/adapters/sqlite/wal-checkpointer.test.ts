/** The background checkpointer on a real server.db: the WAL is checkpointed, and truncated once writes pause. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerDb } from './open-server-db.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const until = async (ok: () => boolean, withinMs = 10_000): Promise<void> => {
  const deadline = Date.now() + withinMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WalCheckpointer', () => {
  it('after a pause in the writes the checkpointer truncates the WAL file, and every row is in the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-ckpt-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'server.db');
    const db = openServerDb(path);
    cleanup.push(() => db.close());
    const insert = db.db.prepare('INSERT INTO device_seq (device_id, max_seq, updated_at_ms) VALUES (?, ?, ?)');
    for (let g = 0; g < 20; g++) db.db.transaction(() => { for (let i = 0; i < 500; i++) insert.run(`d-${g}-${i}`, i, Date.now()); })();
    const walBytes = (): number => statSync(`${path}-wal`).size;
    expect(walBytes()).toBeGreaterThan(0);
    const checkpointer = new WalCheckpointer(path, pino({ level: 'silent' }), 20, 1);
    cleanup.push(() => checkpointer.stop());
    await until(() => checkpointer.truncations >= 1);
    expect(walBytes()).toBe(0);
    expect(db.db.prepare('SELECT COUNT(*) FROM device_seq').pluck().get()).toBe(10_000);
  });
});
