/**
 * The crash test: a bus terminal (real app wiring, real SQLite file) taps as fast as it can and
 * is killed with SIGKILL at a random moment, 20 times on the same database. After every kill:
 * every tap whose feedback was shown is in the journal, sequence numbers are unique and never
 * reused by the next run, and `PRAGMA integrity_check` passes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openDeviceDb } from '../src/adapters/sqlite/open-device-db.js';
import { SqliteTapJournal } from '../src/adapters/sqlite/sqlite-tap-journal.js';
import { REPO_ROOT } from './helpers/cli.js';

const HARNESS = `${REPO_ROOT}terminal/dist/testing/tap-burst.js`;
const RUNS = 20;

interface Run {
  readonly firstSeq: number;
  readonly shown: number[];
}

function burstAndKill(dataDir: string, killAfterShown: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARNESS, dataDir, '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const shown: number[] = [];
    let firstSeq = -1;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, value] = line.split(' ');
      if (kind === 'READY') firstSeq = Number(value);
      if (kind === 'SHOWN') {
        shown.push(Number(value));
        if (shown.length === killAfterShown) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`harness ended with ${code ?? signal}: ${stderr}`));
      else resolve({ firstSeq, shown });
    });
  });
}

describe('kill -9 during a burst of taps', () => {
  it(`keeps every shown tap, never reuses a seq, and leaves a sound database (${RUNS} runs)`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rescard-crash-'));
    let highestJournaled = 0;
    let totalShown = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const killAfter = 3 + Math.floor(Math.random() * 60);
      const { firstSeq, shown } = await burstAndKill(dataDir, killAfter);
      totalShown += shown.length;
      expect(firstSeq, `run ${run}: the next seq continues after the last journaled one`).toBe(highestJournaled + 1);
      expect(shown[0]).toBe(firstSeq);

      const db = openDeviceDb(join(dataDir, 'bus-0001.db'));
      try {
        expect(db.integrityCheck()).toEqual(['ok']);
        const journal = new SqliteTapJournal(db, { capacityTaps: 1_000_000 });
        const seqs = journal.pending(1_000_000).map((t) => t.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        const journaled = new Set(seqs);
        const lost = shown.filter((s) => !journaled.has(s));
        expect(lost, `run ${run}: shown taps missing from the journal`).toEqual([]);
        // No gaps: every seq from 1 to the highest exists (nothing acked in this test).
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        highestJournaled = seqs.at(-1) ?? 0;
        expect(highestJournaled).toBeGreaterThanOrEqual(shown.at(-1)!);
      } finally {
        db.close();
      }
    }
    expect(totalShown).toBeGreaterThan(RUNS * 3);
  }, 180_000);
});
