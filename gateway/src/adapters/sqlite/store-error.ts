/**
 * The boundary between better-sqlite3 and the rest of the gateway: every library error becomes a
 * RescardError (GATEWAY_STORE_FAILURE). Nothing above this file sees SqliteError.
 */
import { RescardError, isRescardError } from '@rescard/shared';

export function toStoreError(err: unknown, op: string): RescardError {
  if (isRescardError(err)) return err;
  const sqliteCode = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : null;
  const text = err instanceof Error ? err.message : String(err);
  return new RescardError('GATEWAY_STORE_FAILURE', `gateway database: ${op} failed: ${text}`, { op, sqliteCode }, { cause: err });
}

/** Run `fn`, translating any failure at this boundary. */
export function guard<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(err, op);
  }
}
