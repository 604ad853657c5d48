/**
 * Application selection (EMV Book 1 §12.3 and Book B for contactless):
 *  - SELECT PPSE and take the directory entries (61) under FCI 6F > A5 > BF0C;
 *  - order them: Mir AIDs first (A0000006581010, A0000006581011, A0000006582010, in that
 *    order), then by Application Priority Indicator (87, low nibble, 1 is highest; none = last),
 *    then as listed;
 *  - when PPSE is missing or unusable, fall back to the terminal's list of known AIDs.
 */
import { MIR_AIDS, decodeTlv, findTag, toHex, type Tlv } from '@rescard/shared';

export interface Candidate {
  readonly aid: string;
  readonly label: string | null;
  readonly priority: number | null;
}

/**
 * The terminal's list of AIDs for selection without PPSE (EMV Book 1 §12.3.3), Mir first.
 * Each scheme's full AIDs come first, then its RID alone: a SELECT by RID is a partial-name
 * selection, which cards that allow it (ASI) answer with the first matching application, its
 * full name in tag 84. Some readers in the field select by RID only, and some cards answer
 * only that.
 */
export const KNOWN_AIDS: readonly string[] = [
  ...MIR_AIDS,
  'A000000658', // Mir RID (partial selection)
  'A0000000031010', // Visa credit/debit
  'A0000000032010', // Visa Electron
  'A000000003', // Visa RID
  'A0000000041010', // Mastercard
  'A0000000043060', // Maestro
  'A000000004', // Mastercard RID
  'A0000003330101', // UnionPay
  'A0000000651010', // JCB
  'A00000002501', // American Express
  'A0000000421010', // CB
];

function text(node: Tlv | undefined): string | null {
  if (!node) return null;
  const value = node.value.toString('latin1').replace(/[^\x20-\x7e]/g, '').trim();
  return value.length > 0 ? value : null;
}

/** Directory entries of a PPSE FCI (response data without SW). Throws TLV_MALFORMED. */
export function parsePpse(fci: Buffer): Candidate[] {
  const root = decodeTlv(fci);
  const directory = findTag(root, 'BF0C');
  const entries = directory?.children?.filter((n) => n.tag === '61') ?? [];
  const out: Candidate[] = [];
  for (const entry of entries) {
    const children = entry.children ?? [];
    const aid = findTag(children, '4F');
    if (!aid || aid.value.length < 5 || aid.value.length > 16) continue;
    const api = findTag(children, '87');
    const priority = api && api.value.length === 1 ? api.value[0]! & 0x0f : null;
    out.push({ aid: toHex(aid.value), label: text(findTag(children, '50')), priority: priority || null });
  }
  return out;
}

function mirRank(aid: string): number {
  const index = (MIR_AIDS as readonly string[]).indexOf(aid);
  return index === -1 ? MIR_AIDS.length : index;
}

export function orderCandidates(candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .map((c, listed) => ({ c, listed }))
    .sort(
      (a, b) =>
        mirRank(a.c.aid) - mirRank(b.c.aid) ||
        (a.c.priority ?? 16) - (b.c.priority ?? 16) ||
        a.listed - b.listed,
    )
    .map((x) => x.c);
}

export interface SelectedApplication {
  readonly aid: string;
  readonly label: string | null;
  readonly pdol: Buffer | null;
}

/** Parse the FCI returned by SELECT AID. `requested` is used when the card omits tag 84. */
export function parseAidFci(fci: Buffer, requested: string): SelectedApplication {
  const root = decodeTlv(fci);
  const dfName = findTag(root, '84');
  const pdol = findTag(root, '9F38');
  return {
    aid: dfName ? toHex(dfName.value) : requested,
    label: text(findTag(root, '50')) ?? text(findTag(root, '9F12')),
    pdol: pdol ? pdol.value : null,
  };
}
