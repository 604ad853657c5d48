import { readFileSync, writeFileSync } from 'node:fs';
import { RescardError, generateListSigningKey, type ErrorCode } from '@rescard/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ListEntry, ListMeta } from '../core/model.js';
import { FakeListStore } from '../ports/fake-list-store.js';
import type { ListStore, SwapSteps } from '../ports/list-store.js';
import {
  EXPIRES, NOW_MS, ROGUE, del, draft, options, put, storeState, tok, writeRaw, writeSigned,
} from './list-file-fixtures.js';
import { loadListFile } from './load-list-file.js';

const TOKENS = Array.from({ length: 8 }, (_, i) => tok(i));
const [t0, t1, t2, t3] = TOKENS as [string, string, string, string];

async function refusal(path: string, store: ListStore, more: Parameters<typeof options>[1] = {}): Promise<RescardError> {
  try {
    await loadListFile(path, options(store, more));
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('the list file was accepted');
}

describe('loadListFile', () => {
  let store: FakeListStore;
  beforeEach(async () => {
    store = new FakeListStore();
    await loadListFile(await writeSigned(draft('benefit', 5), [put(t0, { category: 'VETERAN' }), put(t1)]), options(store));
  });

  /** The load is refused with `code` (and details), and the store is exactly as before. */
  async function expectRefused(path: string, code: ErrorCode, details: Record<string, unknown> = {}, more = {}): Promise<RescardError> {
    const before = storeState(store, TOKENS);
    const err = await refusal(path, store, more);
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject(details);
    expect(storeState(store, TOKENS)).toEqual(before);
    return err;
  }

  it('applies a signed snapshot: the whole list replaced, meta from the manifest', async () => {
    const path = await writeSigned(draft('benefit', 6), [put(t2, { category: 'STUDENT', validTo: '2026-06-30' })]);
    const result = await loadListFile(path, options(store));
    const meta: ListMeta = { list: 'benefit', version: 6, issuedAtMs: Date.parse('2025-09-03T03:00:00Z'), expiresAtMs: Date.parse(EXPIRES), count: 1 };
    expect(result).toEqual({ meta, applied: 'snapshot', count: 1, dev: false });
    expect(store.lookup(TOKENS, ['benefit'])).toEqual([
      { list: 'benefit', token: t2, category: 'STUDENT', validFrom: null, validTo: '2026-06-30', attrs: {} },
    ]);
  });

  it('applies a delta on its exact base: puts and dels, one new version', async () => {
    const path = await writeSigned(draft('benefit', 6, 5), [put(t1, { category: 'PENSIONER' }), del(t0), put(t3)]);
    const result = await loadListFile(path, options(store));
    expect(result).toMatchObject({ applied: 'delta', count: 3, meta: { list: 'benefit', version: 6, count: 2 } });
    expect(store.lookup(TOKENS, ['benefit']).map((e) => [e.token, e.category])).toEqual([[t1, 'PENSIONER'], [t3, null]]);
  });

  describe('refuses, leaving the store untouched', () => {
    it('a forged signature (another key under the pinned kid)', async () => {
      const err = await expectRefused(await writeSigned(draft('benefit', 6), [put(t2)], ROGUE.signer), 'LIST_FILE_INVALID', { reason: 'signature' });
      expect(err.message).toMatch(/signature does not verify/);
    });

    it('a manifest altered after signing (one bit of the version in the header)', async () => {
      const path = await writeSigned(draft('benefit', 6), [put(t2)]);
      writeFileSync(path, readFileSync(path, 'utf8').replace('"version":6', '"version":7'));
      await expectRefused(path, 'LIST_FILE_INVALID', { reason: 'signature' });
    });

    it('an unknown kid', async () => {
      const other = generateListSigningKey('ru-99-2030');
      await expectRefused(await writeSigned(draft('benefit', 6), [put(t2)], other.signer), 'LIST_FILE_INVALID', { reason: 'unknown-kid' });
    });

    it('a dev-mode file when dev files are not allowed', async () => {
      await expectRefused(writeRaw(draft('benefit', 6), `{"t":"${t2}"}\n`, {}, 'dev'), 'LIST_FILE_INVALID', { reason: 'dev-not-allowed' });
    });

    it('another audience', async () => {
      const path = await writeSigned(draft('roster', 1, null, { audience: 'school:S2' }), [put(t2)]);
      const err = await expectRefused(path, 'LIST_FILE_INVALID', { reason: 'audience', audience: 'school:S2' });
      expect(err.message).toContain('"school:S1"');
    });

    it('an expired list, including one that expires this very millisecond', async () => {
      await expectRefused(await writeSigned(draft('benefit', 6), [put(t2)]), 'LIST_FILE_INVALID', { reason: 'expired' }, { nowMs: Date.parse(EXPIRES) });
      await expectRefused(await writeSigned(draft('benefit', 6), [put(t2)]), 'LIST_FILE_INVALID', { reason: 'expired' }, { nowMs: NOW_MS + 30 * 86_400_000 });
    });

    it('a rollback: the same or an older version', async () => {
      await expectRefused(await writeSigned(draft('benefit', 5), [put(t2)]), 'LIST_VERSION_ROLLBACK', { version: 5, currentVersion: 5 });
      await expectRefused(await writeSigned(draft('benefit', 3), [put(t2)]), 'LIST_VERSION_ROLLBACK');
      await expectRefused(await writeSigned(draft('benefit', 5, 4), [put(t2)]), 'LIST_VERSION_ROLLBACK');
    });

    it('a delta on the wrong base, or on a list the device does not hold', async () => {
      await expectRefused(await writeSigned(draft('benefit', 8, 6), [put(t2)]), 'LIST_BASE_MISMATCH', { baseVersion: 6, currentVersion: 5 });
      const err = await expectRefused(await writeSigned(draft('stoplist', 2, 1), [put(t2)]), 'LIST_BASE_MISMATCH', { currentVersion: null });
      expect(err.message).toContain('load a snapshot first');
    });

    it('a payload that does not match the signed hash (a token changed after signing)', async () => {
      const path = await writeSigned(draft('benefit', 6), [put(t2), put(t3)]);
      writeFileSync(path, readFileSync(path, 'utf8').replace(t3, t0));
      await expectRefused(path, 'LIST_FILE_INVALID', { reason: 'sha256' });
    });

    it('a count that does not match, a truncated file, extra lines', async () => {
      const payload = `{"t":"${t2}"}\n{"t":"${t3}"}\n`;
      await expectRefused(writeRaw(draft('benefit', 6), payload, { count: 3 }), 'LIST_FILE_INVALID', { reason: 'count' });
      await expectRefused(writeRaw(draft('benefit', 6, 5), payload.replaceAll('{"t"', '{"op":"put","t"'), { count: 1 }), 'LIST_FILE_INVALID', { reason: 'count' });
      const path = await writeSigned(draft('benefit', 6), [put(t2), put(t3)]);
      writeFileSync(path, readFileSync(path).subarray(0, -10));
      await expectRefused(path, 'LIST_FILE_INVALID', { reason: 'line' });
    });

    it('a malformed line inside a correctly signed snapshot: found in pass 2, rolled back, line named', async () => {
      const payload = `{"t":"${t2}"}\n{"t":"${t3}"}\n{"t":"${t0}","f":"2025-02-30"}\n`;
      const err = await expectRefused(writeRaw(draft('benefit', 6), payload), 'LIST_FILE_INVALID', { reason: 'line', line: 4, field: 'f' });
      expect(err.message).toBe('list file line 4: "f" must be null or a date YYYY-MM-DD');
      await expectRefused(writeRaw(draft('benefit', 6, 5), `{"op":"put","t":"${t2}"}\n{"op":"put","t":"${t3}"\n`), 'LIST_FILE_INVALID', { line: 3 });
    });

    it('tokens that are not 43-character base64url, and PANs in a signed file', async () => {
      await expectRefused(writeRaw(draft('benefit', 6), `{"t":"${t2.slice(1)}"}\n`), 'LIST_FILE_INVALID', { line: 2, field: 't' });
      await expectRefused(writeRaw(draft('benefit', 6), `{"t":"${t2}+"}\n`), 'LIST_FILE_INVALID', { line: 2, field: 't' });
      await expectRefused(writeRaw(draft('benefit', 6), '{"pan":"2200000000000004"}\n'), 'LIST_FILE_INVALID', { line: 2, field: 'pan' });
    });

    it('a card twice: in a delta (with both lines), in a snapshot (by the store)', async () => {
      const err = await expectRefused(await writeSigned(draft('benefit', 6, 5), [put(t2), del(t3), del(t2)]), 'LIST_FILE_INVALID', { line: 4 });
      expect(err.message).toContain('same card as line 2');
      await expectRefused(writeRaw(draft('benefit', 6), `{"t":"${t2}"}\n{"t":"${t2}"}\n`), 'LIST_FILE_INVALID');
    });

    it('a delta over the size limit, before reading it', async () => {
      await expectRefused(writeRaw(draft('benefit', 6, 5), '', { count: 100_001 }), 'LIST_FILE_INVALID', { reason: 'too-large' });
    });

    it('a file rewritten between the verifying pass and the applying pass', async () => {
      const path = await writeSigned(draft('benefit', 6), [put(t2), put(t3)]);
      const tampered = readFileSync(path, 'utf8').replace(t3, t0);
      const racing: ListStore = {
        lookup: (tokens, lists) => store.lookup(tokens, lists),
        history: (token, sinceWallMs, limit) => store.history(token, sinceWallMs, limit),
        meta: () => store.meta(),
        replaceList(meta: ListMeta, entries: Iterable<ListEntry>): void {
          writeFileSync(path, tampered); // same inode: the reader's open handle sees the new bytes
          store.replaceList(meta, entries);
        },
        async replaceListInSteps(meta: ListMeta, entries: Iterable<ListEntry>, steps: SwapSteps): Promise<void> {
          writeFileSync(path, tampered);
          await store.replaceListInSteps(meta, entries, steps);
        },
        applyDelta: (d) => store.applyDelta(d),
        compact: (limits) => store.compact(limits),
        extendFreshness: (l, v, e) => store.extendFreshness(l, v, e),
      };
      const before = storeState(store, TOKENS);
      const err = await refusal(path, racing);
      expect(err.details).toMatchObject({ reason: 'sha256' });
      expect(storeState(store, TOKENS)).toEqual(before);
    });

    it('a file that is not there', async () => {
      await expectRefused('/nonexistent/list.ndjson', 'LIST_FILE_INVALID', { reason: 'io' });
    });
  });
});
