/**
 * A 100k-entry snapshot is written and read with constant memory: the heap retained while
 * streaming (measured after a forced GC every 10k lines) stays far below the file's size.
 * No timing assertions.
 */
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ListFileReader } from './list-file-reader.js';
import { writeListFile } from './list-file.js';
import type { ListFileRecord } from './list-record.js';
import { FIXED_SIGNER, put, tempPath, tok } from './test-fixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ENTRIES = 100_000;
const SAMPLE_EVERY = 10_000;

function* entries(): Generator<ListFileRecord> {
  for (let i = 0; i < ENTRIES; i += 1) {
    yield put(tok(i), { category: 'PENSIONER', validFrom: '2025-01-01', validTo: '2027-12-31', attrs: { usedInPeriod: i % 18, usedPeriod: '2025-09' } });
  }
}

/** Retained heap above the baseline, sampled after GC. */
class HeapProbe {
  private readonly baseline: number;
  peakBytes = 0;
  constructor() {
    gc();
    this.baseline = process.memoryUsage().heapUsed;
  }
  sample(): void {
    gc();
    this.peakBytes = Math.max(this.peakBytes, process.memoryUsage().heapUsed - this.baseline);
  }
}

const MB = 1024 * 1024;

describe('a 100k-entry snapshot streams', () => {
  it('writes, hashes and reads (async and sync) with heap growth far below the file size', async () => {
    const path = tempPath();
    const writing = new HeapProbe();
    let produced = 0;
    const probed = (function* () {
      for (const e of entries()) {
        produced += 1;
        if (produced % SAMPLE_EVERY === 0) writing.sample();
        yield e;
      }
    })();
    const manifest = await writeListFile(path, {
      list: 'benefit', audience: 'region', version: 1, baseVersion: null, issuedAt: '2025-09-01T00:00:00Z', expiresAt: '2025-09-08T00:00:00Z',
    }, probed, FIXED_SIGNER);
    const fileBytes = statSync(path).size;
    expect(manifest.count).toBe(ENTRIES);

    const reader = await ListFileReader.open(path);
    try {
      const hashing = new HeapProbe();
      const verified = await reader.digest();
      hashing.sample();

      const asyncRead = new HeapProbe();
      let n = 0;
      for await (const { record } of reader.records()) {
        if (record.op === 'put') n += 1;
        if (n % SAMPLE_EVERY === 0) asyncRead.sample();
      }
      const syncRead = new HeapProbe();
      let m = 0;
      for (const { line } of reader.recordsSync(verified)) {
        m += 1;
        if (line % SAMPLE_EVERY === 0) syncRead.sample();
      }
      expect([n, m, verified.count]).toEqual([ENTRIES, ENTRIES, ENTRIES]);

      const peaks = { write: writing.peakBytes, hash: hashing.peakBytes, asyncRead: asyncRead.peakBytes, syncRead: syncRead.peakBytes };
      console.info(`list-file stream: ${(fileBytes / MB).toFixed(1)} MB file; retained heap MB`,
        Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, +(v / MB).toFixed(2)])));
      // Holding the entries would retain well over the file's size (~14 MB) in parsed objects.
      expect(fileBytes).toBeGreaterThan(10 * MB);
      for (const peak of Object.values(peaks)) expect(peak).toBeLessThan(4 * MB);
    } finally {
      await reader.close();
    }
  }, 60_000);
});
