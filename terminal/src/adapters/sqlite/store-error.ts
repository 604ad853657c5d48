/**
 * The boundary between better-sqlite3 and the rest of the terminal: every library error becomes
 * a RescardError (STORE_FAILURE unless the caller maps it to something more precise). Domain
 * code never sees SqliteError.
 */
import { RescardError, isRescardError, type ErrorCode } from '@rescard/shared';

/** The SQLite result code (e.g. SQLITE_FULL, SQLITE_CORRUPT) of a better-sqlite3 error, if any. */
export function sqliteCode(err: unknown): string | null {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    return err.code;
  }
  return null;
}

/** Pass RescardErrors through; wrap anything else as `code` (STORE_FAILURE by default). */
export function toRescardError(err: unknown, op: string, code: ErrorCode = 'STORE_FAILURE'): RescardError {
  if (isRescardError(err)) return err;
  const sqlite = sqliteCode(err);
  const text = err instanceof Error ? err.message : String(err);
  return new RescardError(code, `device database: ${op} failed: ${text}`, { op, sqliteCode: sqlite }, { cause: err });
}

/** Run `fn`, translating any failure at this boundary. */
export function guard<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toRescardError(err, op);
  }
}
