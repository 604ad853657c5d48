/**
 * `rescard-terminal read`: the technician's card check. Waits for one card on any reader (or
 * the one named), reads it, and resolves with the PAN-free CardRead.
 */
import { RescardError } from '@rescard/shared';
import type { CardReader } from '../ports/card-reader.js';
import { readCardSession, type CardRead, type ReadSessionDeps } from '../emv/card-read.js';

export interface ReadOnceDeps extends ReadSessionDeps {
  readonly reader: CardReader;
  /** How long to wait for a reader and a card. */
  readonly waitMs: number;
  readonly readerName?: string;
}

export async function readOnce(deps: ReadOnceDeps): Promise<CardRead> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<CardRead>((resolve, reject) => {
      let taken = false;
      timer = setTimeout(() => {
        const readers = deps.reader.readers();
        reject(
          readers.length === 0
            ? new RescardError('READER_NOT_FOUND', deps.readerName ? `no PC/SC reader matching "${deps.readerName}" appeared` : 'no PC/SC reader appeared', {
                waitMs: deps.waitMs,
              })
            : new RescardError('NO_CARD', `no card was presented within ${deps.waitMs} ms`, { waitMs: deps.waitMs, readers }),
        );
      }, deps.waitMs);
      deps.reader
        .start(async (session) => {
          if (taken) return;
          taken = true;
          clearTimeout(timer);
          try {
            resolve(await readCardSession(session, deps));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await deps.reader.stop();
  }
}
