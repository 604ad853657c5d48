import type { CardScheme } from '@rescard/shared';

/**
 * What the EMV read yields. The PAN exists only inside the read step: it is turned into a
 * token at once by `tokeniseCard` and the CardData is dropped. Never log or persist it.
 */
export interface CardData {
  readonly pan: string;
  /** YYYY-MM */
  readonly expiry: string;
  /** PAN sequence number (5F34) as two decimal digits, or null when the card has none. */
  readonly psn: string | null;
  /** Payment Account Reference (9F24), when present. */
  readonly par: string | null;
  readonly scheme: CardScheme;
  /** Selected AID, uppercase hex. */
  readonly aid: string;
  /** Application label (50) or preferred name, when present. */
  readonly label: string | null;
}
