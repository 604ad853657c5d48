/**
 * A card as an operator names it in a request: a PAN (tokenised here, at once, and dropped), a
 * PAR, or a token (+ kid). Errors never carry the PAN; a masked PAN at most.
 */
import { RescardError, isCardToken, luhnValid, maskPan, normalisePan, type TokenKeyring } from '@rescard/shared';

export interface CardRefInput {
  readonly pan?: string | undefined;
  readonly par?: string | undefined;
  readonly token?: string | undefined;
  readonly kid?: string | undefined;
}

export interface ResolvedCard {
  /** The token lists are built with (the keyring's primary kid). */
  readonly token: string;
  readonly kid: string;
  readonly panMasked: string | null;
  /** Every token the card may appear under in taps (one per active kid), primary first. */
  readonly lookupTokens: readonly string[];
}

const bad = (message: string, details: Record<string, unknown> = {}): RescardError => new RescardError('REQUEST_INVALID', message, details);

/** `lookup`: a token under any kid is accepted (a lookup changes nothing). */
export function resolveCard(input: CardRefInput, keyring: TokenKeyring, purpose: 'change' | 'lookup' = 'change'): ResolvedCard {
  const given = [input.pan, input.par, input.token].filter((v) => v !== undefined).length;
  if (given !== 1) throw bad('name the card by exactly one of pan, par or token');
  if (input.pan !== undefined) {
    let digits: string;
    try {
      digits = normalisePan(input.pan);
    } catch {
      throw new RescardError('PAN_INVALID', 'pan must be 12-19 digits (spaces and dashes allowed)');
    }
    const panMasked = maskPan(digits);
    if (!luhnValid(digits)) throw new RescardError('PAN_INVALID', `pan ${panMasked} fails the Luhn check digit`, { panMasked });
    const all = keyring.panTokensAllKids(digits);
    const primary = all[0];
    if (primary === undefined) throw new Error('unreachable: a keyring has a key');
    return { token: primary.token, kid: primary.kid, panMasked, lookupTokens: all.map((t) => t.token) };
  }
  if (input.par !== undefined) {
    let all;
    try {
      all = keyring.parTokensAllKids(input.par);
    } catch {
      throw new RescardError('PAR_INVALID', 'par must be 29 letters and digits');
    }
    const primary = all[0];
    if (primary === undefined) throw new Error('unreachable: a keyring has a key');
    return { token: primary.token, kid: primary.kid, panMasked: null, lookupTokens: all.map((t) => t.token) };
  }
  const token = input.token ?? '';
  if (!isCardToken(token)) throw bad('token is not a card token (43 characters of base64url)');
  const kid = input.kid ?? keyring.primaryKid;
  if (purpose === 'change' && kid !== keyring.primaryKid) {
    throw bad(`token kid "${kid.slice(0, 32)}" is not the current card-token key ("${keyring.primaryKid}"): give the PAN instead`, { kid });
  }
  return { token, kid, panMasked: null, lookupTokens: [token] };
}
