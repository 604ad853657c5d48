/**
 * A read connection on the list state, for building files: one read transaction per build, so
 * the snapshot, the delta and the state they are labelled with are one consistent view while the
 * writer goes on committing (WAL). One connection per build: better-sqlite3 cannot run another
 * statement on a connection while an iterator is open, and a build iterates for seconds.
 */
import Database from 'better-sqlite3';
import type { ListFilePut, ListFileRecord } from '@rescard/shared';
import { stateFromRow, type ListKey, type ListState } from './list-db.js';

interface EntryRow {
  token: string; present: string | null; category: string | null; valid_from: string | null; valid_to: string | null; attrs: string | null;
}

function put(r: EntryRow): ListFilePut {
  return {
    op: 'put', card: { token: r.token }, category: r.category, validFrom: r.valid_from, validTo: r.valid_to,
    attrs: JSON.parse(r.attrs ?? '{}') as ListFilePut['attrs'],
  };
}

/**
 * How a device orders a token (terminal/src/adapters/sqlite/token-key.ts): the 32 bytes a
 * canonical base64url token decodes to, compared bytewise; any other token is TEXT, before them.
 */
export function deviceKey(token: unknown): Buffer | string {
  if (typeof token !== 'string') return String(token);
  const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : null;
  return bytes !== null && bytes.toString('base64url') === token ? bytes : token;
}

export class ListDbReader {
  private readonly db: Database.Database;
  private readonly key: ListKey;

  /** Opens the connection and its read transaction; call end() when done. */
  constructor(path: string, key: ListKey) {
    this.db = new Database(path, { readonly: true });
    this.db.function('device_key', { deterministic: true }, deviceKey);
    this.key = key;
    this.db.exec('BEGIN'); // deferred: the snapshot is taken by the first read, state() below
  }

  state(): ListState | undefined {
    const row = this.db.prepare('SELECT * FROM list_state WHERE list = ? AND audience = ?').get(this.key.list, this.key.audience);
    return row === undefined ? undefined : stateFromRow(row as Parameters<typeof stateFromRow>[0]);
  }

  /**
   * The current entries in the device's key order (deviceKey): a device appends each row at the
   * right edge of its B-tree instead of inserting all over it (a 1M-entry swap: ~2x faster).
   */
  *snapshot(): Generator<ListFilePut> {
    const rows = this.db
      .prepare<[string, string], EntryRow>(`SELECT token, token AS present, category, valid_from, valid_to, attrs
        FROM list_entry WHERE list = ? AND audience = ? ORDER BY device_key(token)`)
      .iterate(this.key.list, this.key.audience);
    for (const r of rows) yield put(r);
  }

  /** Cards changed in (base, version]. */
  deltaCount(base: number, version: number): number {
    const row = this.db
      .prepare<[string, string, number, number], { n: number }>(`SELECT COUNT(DISTINCT token) AS n FROM list_change
        WHERE list = ? AND audience = ? AND version > ? AND version <= ?`)
      .get(this.key.list, this.key.audience, base, version);
    return row?.n ?? 0;
  }

  /** The delta (base, version]: a put with the current values, or a del for a card no longer listed. */
  *delta(base: number, version: number): Generator<ListFileRecord> {
    const { list, audience } = this.key;
    const rows = this.db
      .prepare<[string, string, number, number, string, string], EntryRow>(`SELECT c.token, e.token AS present, e.category,
        e.valid_from, e.valid_to, e.attrs FROM (SELECT DISTINCT token FROM list_change WHERE list = ? AND audience = ?
        AND version > ? AND version <= ?) c LEFT JOIN list_entry e ON e.list = ? AND e.audience = ? AND e.token = c.token
        ORDER BY c.token`)
      .iterate(list, audience, base, version, list, audience);
    for (const r of rows) yield r.present === null ? { op: 'del', card: { token: r.token } } : put(r);
  }

  end(): void {
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } finally {
      this.db.close();
    }
  }
}
