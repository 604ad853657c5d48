/**
 * The boundary between better-sqlite3 and the rest of the server: every library error becomes a
 * RescardError (SERVER_STORE_FAILURE). Code above never sees SqliteError.
 */
import { RescardError, isRescardError } from '@rescard/shared';

export function sqliteCode(err: unknown): string | null {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_')) return err.code;
  return null;
}

export function toRescardError(err: unknown, op: string): RescardError {
  if (isRescardError(err)) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new RescardError('SERVER_STORE_FAILURE', `server database: ${op} failed: ${text}`, { op, sqliteCode: sqliteCode(err) }, { cause: err });
}

export function guard<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toRescardError(err, op);
  }
}
