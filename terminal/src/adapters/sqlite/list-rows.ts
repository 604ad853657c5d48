/** list_entry, list_delta_entry and list_meta rows <-> ListEntry and ListMeta. */
import { isCardToken } from '@rescard/shared';
import type { ListEntry, ListEntryAttrs, ListMeta, ListName } from '../../core/model.js';
import { tokenFromKey, tokenKey } from './token-key.js';

export interface EntryRow {
  list: ListName;
  token: unknown;
  category: string | null;
  valid_from: string | null;
  valid_to: string | null;
  attrs: string | null;
}

/** A list_delta_entry row: a delta's entry (live 1) or deletion (live 0) not yet in list_entry. */
export interface PendingRow {
  list: ListName;
  token: Key;
  live: 0 | 1;
  category: string | null;
  valid_from: string | null;
  valid_to: string | null;
  attrs: string | null;
}

export interface MetaRow {
  list: ListName;
  version: number;
  issued_at_ms: number;
  expires_at_ms: number;
  count: number;
  /** The generation of list_entry rows in force. */
  gen: number;
}

/** A token as stored (token-key.ts). */
export type Key = Buffer | string;

/** The columns a lookup reads (list_entry and list_delta_entry alike). */
export const ENTRY_COLUMNS = 'list, token, category, valid_from, valid_to, attrs';
/** The columns of a list_entry row: gen is the snapshot generation it belongs to. */
export const STORED_COLUMNS = 'list, gen, token, category, valid_from, valid_to, attrs';

export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Attributes as stored: NULL for {} (most rows), JSON text otherwise. */
export function encodeAttrs(attrs: ListEntryAttrs): string | null {
  for (const _key in attrs) return nonEmptyAttrs(attrs);
  return null; // no key at all: what most rows of a 1M list have, without a JSON.stringify
}

function nonEmptyAttrs(attrs: ListEntryAttrs): string | null {
  const json = JSON.stringify(attrs);
  return json === '{}' ? null : json;
}

/** token, category, valid_from, valid_to, attrs: the columns after `list`. */
export function entryParams(e: ListEntry): [Key, string | null, string | null, string | null, string | null] {
  return [entryKey(e.token), e.category, e.validFrom, e.validTo, encodeAttrs(e.attrs)];
}

/** tokenKey(token), shortcut for a card token (canonical base64url of 32 bytes: it round-trips by definition). */
export function entryKey(token: string): Key {
  return isCardToken(token) ? Buffer.from(token, 'base64url') : tokenKey(token);
}

export function entryFromRow(r: EntryRow): ListEntry {
  const attrs = r.attrs === null ? {} : (JSON.parse(r.attrs) as ListEntryAttrs);
  return { list: r.list, token: tokenFromKey(r.token), category: r.category, validFrom: r.valid_from, validTo: r.valid_to, attrs };
}

export function metaFromRow(r: MetaRow): ListMeta {
  return { list: r.list, version: r.version, issuedAtMs: r.issued_at_ms, expiresAtMs: r.expires_at_ms, count: r.count };
}
