/**
 * Card scheme from AID (RID + PIX) and from the PAN's BIN.
 * Mir: RID A000000658, BIN range 2200-2204 (NSPK).
 */
export type CardScheme =
  | 'MIR'
  | 'VISA'
  | 'MASTERCARD'
  | 'MAESTRO'
  | 'UNIONPAY'
  | 'JCB'
  | 'AMEX'
  | 'CB'
  | 'GIROCARD'
  | 'UNKNOWN';

/** Mir AIDs in the order a terminal prefers them: Mir debit/credit, Mir (alt), Mir international. */
export const MIR_AIDS = ['A0000006581010', 'A0000006581011', 'A0000006582010'] as const;

const RID_SCHEMES: ReadonlyArray<readonly [string, CardScheme]> = [
  ['A000000658', 'MIR'],
  ['A0000000043060', 'MAESTRO'],
  ['A000000004', 'MASTERCARD'],
  ['A000000003', 'VISA'],
  ['A000000333', 'UNIONPAY'],
  ['A000000065', 'JCB'],
  ['A000000025', 'AMEX'],
  ['A000000042', 'CB'],
  ['A000000059', 'GIROCARD'],
  ['D276000025', 'GIROCARD'],
];

export function schemeFromAid(aidHex: string): CardScheme {
  const aid = aidHex.toUpperCase();
  for (const [prefix, scheme] of RID_SCHEMES) if (aid.startsWith(prefix)) return scheme;
  return 'UNKNOWN';
}

export function schemeFromPan(pan: string): CardScheme {
  const bin6 = Number(pan.slice(0, 6));
  const bin4 = Number(pan.slice(0, 4));
  const bin2 = Number(pan.slice(0, 2));
  if (pan.length < 12 || Number.isNaN(bin6)) return 'UNKNOWN';
  if (bin4 >= 2200 && bin4 <= 2204) return 'MIR';
  if ((bin2 >= 51 && bin2 <= 55) || (bin6 >= 222100 && bin6 <= 272099)) return 'MASTERCARD';
  if (pan.startsWith('4')) return 'VISA';
  if (bin2 === 34 || bin2 === 37) return 'AMEX';
  if (bin4 >= 3528 && bin4 <= 3589) return 'JCB';
  if (bin2 === 62) return 'UNIONPAY';
  if (bin2 === 50 || (bin2 >= 56 && bin2 <= 69)) return 'MAESTRO';
  return 'UNKNOWN';
}

/**
 * The scheme a terminal reports: the AID decides (it names the application actually used);
 * the BIN decides when the AID is not one we know. Co-badged cards (CB + Mastercard) report
 * the scheme of the selected application.
 */
export function cardScheme(aidHex: string, pan: string): CardScheme {
  const byAid = schemeFromAid(aidHex);
  return byAid === 'UNKNOWN' ? schemeFromPan(pan) : byAid;
}
