/** Dev-mode files (PANs written by hand, tokenised at once) and fuzzed payloads. */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { RescardError, writeListFile } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { LIST_NAMES } from '../core/model.js';
import { FakeListStore } from '../ports/fake-list-store.js';
import { KEYRING, draft, options, put, storeState, tempPath, tok, writeRaw, writeSigned } from './list-file-fixtures.js';
import { loadListFile } from './load-list-file.js';

const PAN = '2200000000000004';
const PAN_2 = '2200000000000012';
const PAR = 'M0010000000000000000000000001';

function everything(store: FakeListStore, tokens: string[]): string {
  return JSON.stringify({ meta: store.meta(), entries: store.lookup(tokens, LIST_NAMES) });
}

describe('dev-mode list files', () => {
  it('a hand-written file with PANs and a PAR (no sha256, count or kid) loads; the store holds tokens only', async () => {
    const payload = [
      `{"pan":"${PAN}","c":"VETERAN","u":"2026-12-31"}`,
      `{"pan":"2200 0000 0000 0012"}`,
      `{"par":"${PAR.toLowerCase()}","a":{"usedInPeriod":2,"usedPeriod":"2025-09"}}`,
    ].join('\n');
    const header = { rescardList: 1, dev: true, manifest: { format: 1, ...draft('benefit', 1) } };
    const path = tempPath();
    writeFileSync(path, `${JSON.stringify(header)}\n${payload}\n`);
    const store = new FakeListStore();
    const result = await loadListFile(path, options(store, { allowDev: true }));
    expect(result).toMatchObject({ applied: 'snapshot', count: 3, dev: true, meta: { version: 1, count: 3 } });

    const tokens = [KEYRING.panToken(PAN).token, KEYRING.panToken(PAN_2).token, KEYRING.parToken(PAR).token];
    const held = store.lookup(tokens, ['benefit']);
    expect(held.map((e) => e.token).sort()).toEqual([...tokens].sort());
    expect(held.find((e) => e.token === tokens[0])).toMatchObject({ category: 'VETERAN', validTo: '2026-12-31' });
    const stored = everything(store, tokens);
    for (const secret of [PAN, PAN_2, PAR, '0000000000004', '00000000000']) expect(stored).not.toContain(secret);
  });

  it('a dev delta deletes and updates by PAN; dev files written by writeListFile load too', async () => {
    const store = new FakeListStore();
    await loadListFile(await writeDev(draft('stoplist', 1), [{ ...put(''), card: { pan: PAN }, attrs: { reason: 'LOST' } }]), options(store, { allowDev: true }));
    const delta = await writeDev(draft('stoplist', 2, 1), [
      { op: 'del', card: { pan: PAN } }, { op: 'put', card: { pan: PAN_2 }, category: null, validFrom: null, validTo: null, attrs: { reason: 'STOLEN' } },
    ]);
    expect(await loadListFile(delta, options(store, { allowDev: true }))).toMatchObject({ applied: 'delta', count: 2 });
    expect(store.lookup([KEYRING.panToken(PAN).token, KEYRING.panToken(PAN_2).token], ['stoplist']).map((e) => e.attrs)).toEqual([{ reason: 'STOLEN' }]);
  });

  it('a bad PAN is refused by line, and the message never carries the digits', async () => {
    const secret = '22000000000000041234'; // 20 digits: not a PAN, but still never echoed
    const path = writeRaw(draft('benefit', 1), `{"pan":"${PAN}"}\n{"pan":"${secret}"}\n`, {}, 'dev');
    const err = await loadListFile(path, options(new FakeListStore(), { allowDev: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RescardError);
    expect((err as RescardError).details).toMatchObject({ line: 3, field: 'pan' });
    expect(JSON.stringify({ m: (err as RescardError).message, d: (err as RescardError).details })).not.toContain('2200000000');
  });
});

async function writeDev(d: ReturnType<typeof draft>, records: Parameters<typeof writeListFile>[2]): Promise<string> {
  const path = tempPath();
  await writeListFile(path, d, records, 'dev');
  return path;
}

describe('fuzzed payloads', () => {
  const line = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    fc.record({ t: fc.oneof(fc.constant(tok(1)), fc.string()), c: fc.jsonValue({ maxDepth: 1 }), a: fc.jsonValue({ maxDepth: 1 }) })
      .map((o) => JSON.stringify(o)),
  );

  it('a signed snapshot whose payload has malformed lines: always LIST_FILE_INVALID, the old list intact', async () => {
    const store = new FakeListStore();
    await loadListFile(await writeSigned(draft('benefit', 1), [put(tok(0))]), options(store));
    let before = storeState(store, [tok(0), tok(1)]);
    let version = 2;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), fc.nat({ max: 3 }), async (lines, at) => {
        const payload = [`{"t":"${tok(2)}"}`, ...lines];
        payload.splice(Math.min(at, payload.length), 0, `{"t":"${tok(3)}"}`);
        version += 1;
        const err = await loadListFile(writeRaw(draft('benefit', version), `${payload.join('\n')}\n`), options(store)).then(() => null, (e: unknown) => e);
        if (err === null) {
          before = storeState(store, [tok(0), tok(1)]); // the generated lines happened to be valid entries
          return;
        }
        expect(err).toBeInstanceOf(RescardError);
        expect((err as RescardError).code).toBe('LIST_FILE_INVALID');
        expect(storeState(store, [tok(0), tok(1)])).toEqual(before);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
