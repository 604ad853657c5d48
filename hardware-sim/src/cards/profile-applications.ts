/**
 * Application templates for the built-in profiles. Layouts follow the public transcripts in
 * fixtures/emv (Visa qVSDC, Mastercard); the Mir layout is SYNTHETIC (see mir-synthetic.apdu):
 * the real Mir PDOL, AIP and record layout are not public, so this is only a plausible card.
 */
import type { EmvApplication } from './emv-profile.js';

/** 9F66 TTQ, 9F02 amount, 9F03 other amount, 9F1A country, 95 TVR, 5F2A currency, 9A date, 9C type, 9F37 UN: 33 bytes. */
const TERMINAL_PDOL = '9F66049F02069F03069F1A0295055F2A029A039C019F3704';
const CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';

export const MIR_AID = 'A0000006581010';
export const VISA_AID = 'A0000000031010';
export const MASTERCARD_AID = 'A0000000041010';
export const UNIONPAY_AID = 'A000000333010101';

const ISSUER_DATA = {
  '5F25': '200101', // effective date
  '5F28': '0643', // issuer country: Russia
  '9F07': 'FF00', // application usage control
  '9F10': '06011203A00000', // issuer application data
  '9F26': '1122334455667788', // application cryptogram (fixed: the simulator signs nothing)
  '9F27': '80', // cryptogram information data: ARQC
  '9F6C': '0000', // card transaction qualifiers
  '8C': CDOL1,
} as const;

/** Mir (SYNTHETIC layout): PDOL like Visa's, track 2 and PAR in SFI 1, card data in SFI 2. */
export function mirApplication(options: { label: string; priority?: number; withPar: boolean; gpoFormat: 1 | 2 }): EmvApplication {
  return {
    aid: MIR_AID,
    label: options.label,
    priority: options.priority ?? 1,
    pdol: TERMINAL_PDOL,
    aip: '1980',
    gpoFormat: options.gpoFormat,
    records: [
      { sfi: 1, record: 1, tags: options.withPar ? ['57', '9F24'] : ['57'] },
      { sfi: 2, record: 1, tags: ['5A', '5F24', '5F25', '5F28', '5F34', '9F07', '8C'] },
    ],
    data: ISSUER_DATA,
  };
}

/** Visa qVSDC: PAN (57) and PSN already in the format 2 GPO response; 5A/5F24 in a record. */
export function visaApplication(): EmvApplication {
  return {
    aid: VISA_AID,
    label: 'VISA DEBIT',
    priority: 1,
    pdol: TERMINAL_PDOL,
    aip: '2020',
    gpoFormat: 2,
    gpoTags: ['57', '5F34', '9F10', '9F26', '9F27', '9F36', '9F6C'],
    records: [{ sfi: 2, record: 1, tags: ['5F24', '5A', '5F34', '5F28', '9F07'] }],
    data: ISSUER_DATA,
  };
}

/** Mastercard: no PDOL (GPO with 83 00), PAN only in the records. */
export function mastercardApplication(): EmvApplication {
  return {
    aid: MASTERCARD_AID,
    label: 'MASTERCARD',
    priority: 1,
    pdol: '',
    aip: '1980',
    gpoFormat: 2,
    records: [
      { sfi: 1, record: 1, tags: ['57'] },
      { sfi: 2, record: 1, tags: ['5F25', '5F24', '5A', '5F34', '5F28', '9F07', '8C'] },
    ],
    data: ISSUER_DATA,
  };
}

/** UnionPay (for co-badged Mir cards): format 1 GPO, one record. */
export function unionPayApplication(priority: number): EmvApplication {
  return {
    aid: UNIONPAY_AID,
    label: 'UNIONPAY',
    priority,
    pdol: TERMINAL_PDOL,
    aip: '1980',
    gpoFormat: 1,
    records: [{ sfi: 1, record: 1, tags: ['57', '5A', '5F24', '5F34'] }],
    data: ISSUER_DATA,
  };
}
