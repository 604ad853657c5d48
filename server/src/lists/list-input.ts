/**
 * Entries as the list sources give them (files or API calls today, importers later), validated
 * with the list file's own line rules before anything is stored: a bad entry is refused with its
 * index and nothing of the call is applied.
 */
import {
  RescardError, audienceFits, encodeRecordLine, parseRecordLine, LIST_FILE_LIST_NAMES, type ListFileAttrs, type ListFileListName,
} from '@rescard/shared';

export interface ListEntryInput {
  /** The card token (ADR 0001). */
  readonly token: string;
  readonly category?: string | null;
  /** Inclusive local dates YYYY-MM-DD; null = open. */
  readonly validFrom?: string | null;
  readonly validTo?: string | null;
  readonly attrs?: ListFileAttrs;
}

/** A validated entry as stored: attrs as canonical JSON text. */
export interface StoredEntry {
  readonly token: string;
  readonly category: string | null;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly attrs: string;
}

export function checkListKey(list: string, audience: string): ListFileListName {
  if (!(LIST_FILE_LIST_NAMES as readonly string[]).includes(list) || !audienceFits(list as ListFileListName, audience)) {
    throw new RescardError('LIST_FILE_INVALID', `list "${list}" for audience "${audience.slice(0, 80)}" is not a valid list`, {
      reason: 'manifest', field: 'audience',
    });
  }
  return list as ListFileListName;
}

/** Validate one entry (index for the error message); throws LIST_FILE_INVALID naming the field. */
export function toStoredEntry(input: ListEntryInput, index: number): StoredEntry {
  const record = {
    op: 'put' as const, card: { token: input.token }, category: input.category ?? null,
    validFrom: input.validFrom ?? null, validTo: input.validTo ?? null, attrs: input.attrs ?? {},
  };
  let parsed;
  try {
    parsed = parseRecordLine(encodeRecordLine(record, 'snapshot'), { kind: 'snapshot', dev: false, line: index + 1 });
  } catch (err) {
    if (err instanceof RescardError) {
      throw new RescardError('LIST_FILE_INVALID', `list entry #${index}: ${err.message.replace(/^list file line \d+: /, '')}`, {
        ...err.details, reason: 'entry', index,
      });
    }
    throw err;
  }
  if (parsed.op !== 'put') throw new Error('unreachable: a snapshot line is a put');
  return {
    token: input.token, category: parsed.category, validFrom: parsed.validFrom, validTo: parsed.validTo, attrs: JSON.stringify(parsed.attrs),
  };
}
