import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import { ListFileReader } from './list-file-reader.js';
import { MAX_DELTA_RECORDS, writeListFile, type ListManifestDraft } from './list-file.js';
import type { ListFileRecord } from './list-record.js';
import type { ListFileLine } from './payload-scanner.js';
import { FIXED_SIGNER, put, sha256Hex, tempPath, tok, writeRawListFile } from './test-fixtures.js';

const SNAPSHOT: ListManifestDraft = {
  list: 'benefit', audience: 'region', version: 7, baseVersion: null, issuedAt: '2025-09-01T03:00:00Z', expiresAt: '2025-09-08T03:00:00Z',
};
const DELTA: ListManifestDraft = { ...SNAPSHOT, list: 'stoplist', version: 8, baseVersion: 7 };

async function readAll(path: string): Promise<{ lines: ListFileLine[]; reader: ListFileReader }> {
  const reader = await ListFileReader.open(path);
  try {
    const lines: ListFileLine[] = [];
    for await (const l of reader.records()) lines.push(l);
    return { lines, reader };
  } finally {
    await reader.close();
  }
}

async function refusal(fn: () => Promise<unknown>): Promise<RescardError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('writeListFile + ListFileReader', () => {
  it('writes the documented bytes (golden) and reads them back', async () => {
    const path = tempPath();
    const records = [
      put(tok(1), { category: 'VETERAN', validFrom: '2025-01-01', validTo: '2025-12-31' }),
      put(tok(2), { attrs: { usedInPeriod: 3, usedPeriod: '2025-09', usedAsOfMs: 1756684800000 } }),
    ];
    const manifest = await writeListFile(path, SNAPSHOT, records, FIXED_SIGNER);
    const payload =
      `{"t":"${tok(1)}","c":"VETERAN","f":"2025-01-01","u":"2025-12-31","a":{}}\n` +
      `{"t":"${tok(2)}","c":null,"f":null,"u":null,"a":{"usedInPeriod":3,"usedPeriod":"2025-09","usedAsOfMs":1756684800000}}\n`;
    const text = readFileSync(path, 'utf8');
    expect(text.slice(text.indexOf('\n') + 1)).toBe(payload);
    expect(manifest).toMatchObject({ format: 1, sha256: sha256Hex(payload), count: 2, kid: FIXED_SIGNER.kid });
    expect(text.slice(0, text.indexOf('\n'))).toMatch(/^\{"rescardList":1,"manifest":\{"format":1,"list":"benefit",.*\},"signature":"[A-Za-z0-9+/]{86}=="\}$/);
    const { lines, reader } = await readAll(path);
    expect(reader.header).toMatchObject({ dev: false, manifest });
    expect(lines).toEqual([{ line: 2, record: records[0] }, { line: 3, record: records[1] }]);
  });

  it('writes and reads a delta and a dev file with PANs', async () => {
    const delta: ListFileRecord[] = [put(tok(3), { attrs: { reason: 'LOST' } }), { op: 'del', card: { token: tok(4) } }];
    const path = tempPath();
    await writeListFile(path, DELTA, delta, FIXED_SIGNER);
    expect(readFileSync(path, 'utf8').split('\n')[2]).toBe(`{"op":"del","t":"${tok(4)}"}`);
    expect((await readAll(path)).lines.map((l) => l.record)).toEqual(delta);

    const dev = tempPath();
    const m = await writeListFile(dev, SNAPSHOT, [{ ...put(''), card: { pan: '2200 0000 0000 0004' } }], 'dev');
    const { lines, reader } = await readAll(dev);
    expect(reader.header).toEqual({ dev: true, manifest: m });
    expect(lines[0]?.record.card).toEqual({ pan: '2200000000000004' });
  });

  it('refuses to write what a device would refuse: PANs signed, deletes in a snapshot, bad drafts', async () => {
    const panned = { ...put(''), card: { pan: '2200000000000004' } };
    expect((await refusal(() => writeListFile(tempPath(), SNAPSHOT, [panned], FIXED_SIGNER))).details).toMatchObject({ field: 'pan' });
    const del: ListFileRecord = { op: 'del', card: { token: tok(1) } };
    expect((await refusal(() => writeListFile(tempPath(), SNAPSHOT, [del], FIXED_SIGNER))).details).toMatchObject({ field: 'op' });
    expect((await refusal(() => writeListFile(tempPath(), { ...SNAPSHOT, version: 0 }, [], FIXED_SIGNER))).details)
      .toMatchObject({ field: 'version' });
    const big = (function* () {
      for (let i = 0; i <= MAX_DELTA_RECORDS; i += 1) yield put(tok(i));
    })();
    expect((await refusal(() => writeListFile(tempPath(), DELTA, big, FIXED_SIGNER))).details).toMatchObject({ reason: 'too-large' });
  }, 60_000); // writes 100,001 lines: seconds on a busy shared machine
});

describe('reader verdicts', () => {
  const good = `{"t":"${tok(1)}"}\n{"t":"${tok(2)}"}\n`;

  it('an empty snapshot is valid', async () => {
    const path = tempPath();
    writeRawListFile(path, {}, '');
    expect((await readAll(path)).lines).toEqual([]);
  });

  it('a flipped bit in the payload fails the hash, at the end, after yielding lines', async () => {
    const path = tempPath();
    writeRawListFile(path, {}, good);
    const bytes = readFileSync(path);
    // Flip the case bit (0x20) of a letter inside the second token: still a valid token, another card.
    const start = bytes.indexOf(tok(2));
    const at = [...tok(2)].findIndex((c, i) => i > 0 && i < 42 && /[A-Za-z]/.test(c)) + start;
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    writeFileSync(path, bytes);
    const reader = await ListFileReader.open(path);
    const seen: number[] = [];
    const err = await refusal(async () => {
      for await (const l of reader.records()) seen.push(l.line);
    });
    await reader.close();
    expect(err.details).toMatchObject({ reason: 'sha256' });
    expect(seen).toEqual([2, 3]);
    const again = await ListFileReader.open(path);
    expect((await refusal(() => again.digest())).details).toMatchObject({ reason: 'sha256' });
    await again.close();
  });

  it('count mismatch, truncation, extra lines', async () => {
    const cases: [Parameters<typeof writeRawListFile>[1], string, string][] = [
      [{ count: 3 }, good, 'count'],
      [{ count: 1 }, good, 'count'],
      [{}, good.slice(0, -1), 'line'],
      [{ sha256: sha256Hex(good), count: 2 }, `${good}{"t":"${tok(3)}"}\n`, 'count'],
    ];
    for (const [manifest, payload, reason] of cases) {
      const path = tempPath();
      writeRawListFile(path, manifest, payload);
      const reader = await ListFileReader.open(path);
      expect((await refusal(() => reader.digest())).details).toMatchObject({ reason });
      await reader.close();
    }
  });

  it('header problems are LIST_FILE_INVALID on line 1', async () => {
    const headers = ['', 'not json\n', '[]\n', '{"rescardList":2}\n', '{"rescardList":1,"dev":false,"manifest":{}}\n',
      '{"rescardList":1,"manifest":{}}\n', `${'x'.repeat(5000)}\n`, '{"rescardList":1}'];
    for (const text of headers) {
      const path = tempPath();
      writeFileSync(path, text);
      const err = await refusal(() => ListFileReader.open(path));
      expect(err.code).toBe('LIST_FILE_INVALID');
      expect(err.message).toContain('line 1');
    }
    expect((await refusal(() => ListFileReader.open(tempPath('missing')))).details).toMatchObject({ reason: 'io', op: 'open' });
  });
});
