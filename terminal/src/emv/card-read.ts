/**
 * The read step as the rest of the terminal sees it: a card session in, a PAN-free CardRead
 * out. The PAN exists only inside `readCardSession`; it is tokenised and masked here and then
 * dropped. Nothing returned, thrown or logged from here contains it.
 */
import { RescardError, luhnValid, maskPan, type CardScheme, type TokenKeyring } from '@rescard/shared';
import type { Logger } from 'pino';
import type { CardSession } from '../ports/card-reader.js';
import { readCard } from './read-card.js';
import { withTransportRules } from './transport.js';

export interface CardRead {
  readonly scheme: CardScheme;
  readonly aid: string;
  readonly label: string | null;
  readonly panMasked: string;
  readonly expiry: string;
  readonly psn: string | null;
  readonly token: string;
  readonly kid: string;
  readonly parToken: string | null;
  /** False for masked/test PANs that fail the Luhn check: recorded as a flag, not a reject. */
  readonly luhnValid: boolean;
  readonly readMs: number;
}

export interface ReadSessionDeps {
  readonly keyring: TokenKeyring;
  /** Whole-read timeout: from card detected to CardRead. */
  readonly readTimeoutMs: number;
  readonly now: () => Date;
  readonly monoMs: () => number;
  readonly random: (bytes: number) => Buffer;
  readonly log: Logger;
}

export async function readCardSession(session: CardSession, deps: ReadSessionDeps): Promise<CardRead> {
  const started = deps.monoMs();
  const transmit = withTransportRules((command) => session.transmit(command));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        session.removed
          ? new RescardError('CARD_REMOVED', 'the card left the reader during the read', { reader: session.readerName })
          : new RescardError('CARD_TIMEOUT', `the card did not finish the read within ${deps.readTimeoutMs} ms`, {
              reader: session.readerName,
              readTimeoutMs: deps.readTimeoutMs,
            }),
      );
    }, deps.readTimeoutMs);
  });
  try {
    const card = await Promise.race([
      readCard(transmit, { now: deps.now(), unpredictable: deps.random(4), log: deps.log }),
      timeout,
    ]);
    const pan = deps.keyring.panToken(card.pan);
    return {
      scheme: card.scheme,
      aid: card.aid,
      label: card.label,
      panMasked: maskPan(card.pan),
      expiry: card.expiry,
      psn: card.psn,
      token: pan.token,
      kid: pan.kid,
      parToken: card.par ? deps.keyring.parToken(card.par).token : null,
      luhnValid: luhnValid(card.pan),
      readMs: Math.round((deps.monoMs() - started) * 10) / 10,
    };
  } catch (err) {
    if (err instanceof RescardError && err.code === 'CARD_STATUS' && session.removed) {
      throw new RescardError('CARD_REMOVED', 'the card left the reader during the read', { reader: session.readerName }, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
