/**
 * loadListFile: verify a list file and apply it to the ListStore, all or nothing.
 * (`rescard-terminal lists load FILE` now; the sync client of issue 4 later.)
 *
 * 1. Header: parse; signature (or dev file if allowed), audience, freshness, version
 *    (check-list-header.ts). Nothing of the payload is read before these pass.
 * 2. Snapshot: one pass inside store.replaceListInSteps: the payload is read, hashed, counted,
 *    parsed and tokenised line by line, and the iterable throws at its end unless the SHA-256 and
 *    count are the signed manifest's. The store writes the new rows SWAP_ROWS_PER_STEP at a time
 *    (taps are served between steps) and puts the new list in force only after its iterable
 *    finished, so a throw anywhere (malformed line, altered or truncated payload) leaves the old
 *    list in place. (A separate hash-only pass 1 cost 0.3 s per 1M entries and bought
 *    nothing the store's transaction does not already give.) Memory is constant in the list's size.
 *    A signed snapshot of IN_THREAD_BELOW_LINES lines or more is parsed on a second thread while
 *    this one inserts (snapshot-parse-thread.ts: same checks, same errors, pulled synchronously).
 * 3. Delta: one synchronous pass, parsed and held in memory (at most MAX_DELTA_RECORDS lines),
 *    verified at the end of the file, then store.applyDelta: one transaction with the version, on
 *    the exact base (the store writes it as pending rows, folded into the list later).
 * The store re-checks rollback and base under its own transaction (another loader may have won).
 */
import { ListFileReader, MAX_DELTA_RECORDS, RescardError, lineError, type TokenKeyring } from '@rescard/shared';
import type { ListEntry, ListMeta } from '../core/model.js';
import type { ListStore } from '../ports/list-store.js';
import { checkListHeader, type ListFilePolicy } from './check-list-header.js';
import { cardToken, snapshotEntries, toListEntry } from './list-file-entries.js';
import { IN_THREAD_BELOW_LINES, parseSnapshotInWorker } from './snapshot-parse-thread.js';

/** Snapshot rows per step of the swap (~50 ms of inserts: the longest a tap waits for a swap). */
export const SWAP_ROWS_PER_STEP = 20_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface LoadListFileOptions extends ListFilePolicy {
  readonly store: ListStore;
  /** Tokenises a dev file's "pan" / "par" lines. */
  readonly keyring: TokenKeyring;
}

export interface LoadListFileResult {
  /** The list's meta as the store now holds it (count = rows held). */
  readonly meta: ListMeta;
  readonly applied: 'snapshot' | 'delta';
  /** Payload lines applied (entries of a snapshot; puts + dels of a delta). */
  readonly count: number;
  /** True when the file was an unsigned dev-mode file. */
  readonly dev: boolean;
}

export async function loadListFile(path: string, options: LoadListFileOptions): Promise<LoadListFileResult> {
  const reader = await ListFileReader.open(path);
  try {
    const meta = checkListHeader(reader.header, options, options.store.meta());
    const base = reader.header.manifest.baseVersion;
    const count = base === null ? await applySnapshot(reader, meta, options) : await applyDelta(reader, meta, base, options);
    const held = options.store.meta().find((m) => m.list === meta.list) ?? meta;
    return { meta: held, applied: reader.kind, count, dev: reader.header.dev };
  } finally {
    await reader.close();
  }
}

async function applySnapshot(reader: ListFileReader, meta: ListMeta, options: LoadListFileOptions): Promise<number> {
  // Both sources verify the manifest's sha256 and count when they finish, before the commit.
  const { count } = reader.promised();
  const steps = { rowsPerStep: SWAP_ROWS_PER_STEP, between: nextTurn };
  if (!reader.header.dev && count !== undefined && count >= IN_THREAD_BELOW_LINES) {
    const parsed = parseSnapshotInWorker({ path: reader.path, payloadOffset: reader.payloadOffset, expected: reader.promised() }, meta.list);
    try {
      await parsed.ready; // the thread's start-up is not spent blocking the event loop in the first step
      await options.store.replaceListInSteps(meta, parsed.entries, steps);
    } finally {
      parsed.close(); // also when the store refused before pulling a single entry
    }
  } else {
    await options.store.replaceListInSteps(meta, snapshotEntries(reader.recordsSync(), meta.list, options.keyring), steps);
  }
  return options.store.meta().find((m) => m.list === meta.list)?.count ?? 0; // one row per line
}

async function applyDelta(reader: ListFileReader, meta: ListMeta, baseVersion: number, options: LoadListFileOptions): Promise<number> {
  const { count } = reader.header.manifest;
  if (count !== undefined && count > MAX_DELTA_RECORDS) {
    throw new RescardError('LIST_FILE_INVALID', `list file: a delta of ${count} lines is over the limit of ${MAX_DELTA_RECORDS}; send a snapshot`, {
      reason: 'too-large', count, maxCount: MAX_DELTA_RECORDS,
    });
  }
  const upserts: ListEntry[] = [];
  const deletes: string[] = [];
  const seen = new Map<string, number>(); // token -> line: a card may appear once per delta
  // Read synchronously: a delta is at most MAX_DELTA_RECORDS lines of a local file, and an async
  // iteration costs a promise per line (a fifth of a 10k delta's parse).
  for (const { line, record } of reader.recordsSync(undefined, { maxCount: MAX_DELTA_RECORDS })) {
    const token = cardToken(record.card, options.keyring, line);
    const first = seen.get(token);
    if (first !== undefined) throw lineError(line, `names the same card as line ${first} (a delta names each card once)`, 't');
    seen.set(token, line);
    if (record.op === 'del') deletes.push(token);
    else upserts.push(toListEntry(meta.list, record, token));
  }
  // The loop ran the reader to its end, where it verified the hash and the count. A tap waiting
  // since the parse goes first (a 100k-line delta parses in ~0.3 s); the store re-checks the base.
  await new Promise((resolve) => setImmediate(resolve));
  options.store.applyDelta({ meta, baseVersion, upserts, deletes });
  return upserts.length + deletes.length;
}
