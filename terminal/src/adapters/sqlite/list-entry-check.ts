/**
 * Checks on list data before it is stored, shared by SqliteListStore and FakeListStore so both
 * refuse the same input. Pure. A failure is LIST_FILE_INVALID and is raised while the store's
 * transaction is open, so nothing of the snapshot or delta is applied.
 */
import { RescardError } from '@rescard/shared';
import { LIST_NAMES, type ListEntry, type ListMeta, type ListName } from '../../core/model.js';

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TOKEN_CHARS = 256;

function invalid(message: string, details: Record<string, unknown>): RescardError {
  return new RescardError('LIST_FILE_INVALID', message, details);
}

export function checkListMeta(meta: ListMeta): void {
  if (!LIST_NAMES.includes(meta.list)) throw invalid(`unknown list "${String(meta.list)}"`, { list: meta.list });
  if (!Number.isSafeInteger(meta.version) || meta.version < 0) {
    throw invalid(`list ${meta.list}: version must be a non-negative integer`, { list: meta.list, version: meta.version });
  }
  for (const field of ['issuedAtMs', 'expiresAtMs'] as const) {
    if (!Number.isFinite(meta[field])) throw invalid(`list ${meta.list}: ${field} is not a number`, { list: meta.list, field });
  }
}

/** Check one entry of `list`; `index` is its position in the snapshot or delta, for the error. */
export function checkListEntry(entry: ListEntry, list: ListName, index: number): void {
  const fail = (field: string): never => {
    throw invalid(`list ${list}: entry #${index} has an invalid ${field}`, { list, index, field });
  };
  if (entry.list !== list) fail('list');
  if (typeof entry.token !== 'string' || entry.token.length === 0 || entry.token.length > MAX_TOKEN_CHARS) fail('token');
  if (entry.category !== null && typeof entry.category !== 'string') fail('category');
  if (entry.validFrom !== null && !LOCAL_DATE.test(entry.validFrom)) fail('validFrom');
  if (entry.validTo !== null && !LOCAL_DATE.test(entry.validTo)) fail('validTo');
  if (typeof entry.attrs !== 'object' || entry.attrs === null || Array.isArray(entry.attrs)) fail('attrs');
}
