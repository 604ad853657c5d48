/**
 * Payload lines -> ListEntry / token. A dev-mode line's PAN or PAR is tokenised here, at once,
 * with the device's keyring: only the token goes on; the PAN is neither stored nor logged.
 */
import { lineError, type CardRef, type ListFileLine, type ListFilePut, type TokenKeyring } from '@rescard/shared';
import type { ListEntry, ListName } from '../core/model.js';

export function cardToken(card: CardRef, keyring: TokenKeyring, line: number): string {
  if ('token' in card) return card.token;
  try {
    return 'pan' in card ? keyring.panToken(card.pan).token : keyring.parToken(card.par).token;
  } catch {
    throw lineError(line, `the ${'pan' in card ? 'PAN' : 'PAR'} could not be tokenised`, 'pan' in card ? 'pan' : 'par');
  }
}

export function toListEntry(list: ListName, put: ListFilePut, token: string): ListEntry {
  return { list, token, category: put.category, validFrom: put.validFrom, validTo: put.validTo, attrs: put.attrs };
}

/** A snapshot's lines as entries, lazily (the store pulls them inside its transaction). */
export function* snapshotEntries(lines: Iterable<ListFileLine>, list: ListName, keyring: TokenKeyring): Generator<ListEntry, void, undefined> {
  for (const { line, record } of lines) {
    if (record.op !== 'put') throw lineError(line, 'a snapshot line must be an entry', 'op'); // the parser already refuses it
    yield toListEntry(list, record, cardToken(record.card, keyring, line));
  }
}
