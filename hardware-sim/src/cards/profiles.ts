/**
 * Built-in card profiles: name -> EMV data + faults. Every PAN is a Luhn-valid test PAN;
 * `--pan` (buildProfileCard's `pan`) replaces it everywhere the card carries it.
 */
import { RescardError } from '@rescard/shared';
import { isPanShaped } from '../pan.js';
import { EmvCardModel } from './emv-card-model.js';
import type { EmvProfile } from './emv-profile.js';
import { applicationsLocked, ppseNotFound, RemovedAfterGpoCard, SilentCard, TruncatedRecordCard } from './fault-cards.js';
import { mastercardApplication, mirApplication, unionPayApplication, visaApplication } from './profile-applications.js';
import { Sw61Card, Sw6cCard } from './transport-faults.js';
import type { VirtualCard } from './virtual-card.js';

export type CardFault = 'removed-mid-read' | 'sw61' | 'sw6c' | 'ppse-6a82' | 'malformed-tlv' | 'silent' | 'locked-6985';

export interface CardProfileDefinition {
  readonly name: string;
  readonly description: string;
  readonly emv: EmvProfile;
  /** Applied in order, innermost first. */
  readonly faults: readonly CardFault[];
}

/** PAR shared by the physical Mir card and its Mir Pay token: both map to one benefit. */
export const MIR_TEST_PAR = 'M0010000000000000000000000001';

const EXPIRY = '301231';
const mirDebit: EmvProfile = {
  pan: '2200000000000004',
  expiry: EXPIRY,
  psn: 0,
  par: MIR_TEST_PAR,
  applications: [mirApplication({ label: 'MIR', withPar: true, gpoFormat: 2 })],
};

function definition(name: string, description: string, emv: EmvProfile, faults: readonly CardFault[] = []): CardProfileDefinition {
  return { name, description, emv, faults };
}

const faulty = (fault: CardFault, description: string): CardProfileDefinition =>
  definition(`fault-${fault}`, `${description} (mir-debit data)`, mirDebit, [fault]);

const DEFINITIONS: readonly CardProfileDefinition[] = [
  definition('mir-debit', 'Mir debit card, PDOL, GPO format 2, PAR in 9F24', mirDebit),
  definition('mir-credit', 'Mir credit card, GPO format 1, no PAR', {
    pan: '2202000000000002',
    expiry: EXPIRY,
    psn: 1,
    applications: [mirApplication({ label: 'MIR CREDIT', withPar: false, gpoFormat: 1 })],
  }),
  definition('mir-pay', 'Mir Pay phone token: own PAN, same PAR as mir-debit', {
    pan: '2204000000000018',
    expiry: EXPIRY,
    psn: 0,
    par: MIR_TEST_PAR,
    applications: [mirApplication({ label: 'MIR PAY', withPar: true, gpoFormat: 2 })],
  }),
  definition('mir-unionpay', 'co-badged Mir + UnionPay; UnionPay has the higher priority (1)', {
    pan: '2200000000000012',
    expiry: EXPIRY,
    psn: 0,
    applications: [unionPayApplication(1), mirApplication({ label: 'MIR', priority: 2, withPar: false, gpoFormat: 2 })],
  }),
  definition('visa', 'Visa qVSDC: PAN/track 2 in the GPO response (format 2)', {
    pan: '4111111111111111',
    expiry: EXPIRY,
    psn: 1,
    applications: [visaApplication()],
  }),
  definition('mastercard', 'Mastercard: empty PDOL, PAN in the records', {
    pan: '5555555555554444',
    expiry: EXPIRY,
    psn: 0,
    applications: [mastercardApplication()],
  }),
  faulty('removed-mid-read', 'leaves the field right after answering GPO'),
  faulty('sw61', 'answers 61xx; data only on GET RESPONSE 00 C0 00 00 xx'),
  faulty('sw6c', 'answers 6Cxx to READ RECORD with a wrong Le (00); correct on re-send'),
  faulty('ppse-6a82', 'SELECT PPSE answers 6A82; SELECT of the Mir AID works'),
  faulty('malformed-tlv', 'record SFI 1 #1 is truncated TLV (template longer than the data)'),
  faulty('silent', 'answers the ATR, never answers a command'),
  faulty('locked-6985', 'PPSE lists the apps; every SELECT AID answers 6985'),
];

export const PROFILES: ReadonlyMap<string, CardProfileDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]));

export function profileNames(): string[] {
  return [...PROFILES.keys()];
}

function applyFault(card: VirtualCard, fault: CardFault): VirtualCard {
  switch (fault) {
    case 'removed-mid-read':
      return new RemovedAfterGpoCard(card);
    case 'sw61':
      return new Sw61Card(card);
    case 'sw6c':
      return new Sw6cCard(card);
    case 'ppse-6a82':
      return ppseNotFound(card);
    case 'malformed-tlv':
      return new TruncatedRecordCard(card, 0x01, 0x0c);
    case 'silent':
      return new SilentCard(card);
    case 'locked-6985':
      return applicationsLocked(card);
  }
}

export interface ProfileCard {
  readonly card: VirtualCard;
  /** The EMV model under the fault wrappers. */
  readonly model: EmvCardModel;
  readonly definition: CardProfileDefinition;
  readonly pan: string;
}

/** Build a card from a profile name; unknown names and non-PAN overrides are CONFIG_INVALID. */
export function buildProfileCard(name: string, options: { pan?: string } = {}): ProfileCard {
  const definition = PROFILES.get(name);
  if (!definition) {
    throw new RescardError('CONFIG_INVALID', `unknown card profile "${name}"; known: ${profileNames().join(', ')}`, { profile: name });
  }
  if (options.pan !== undefined && !isPanShaped(options.pan)) {
    throw new RescardError('CONFIG_INVALID', 'PAN override must be 12 to 19 decimal digits', { length: options.pan.length });
  }
  const model = new EmvCardModel(options.pan === undefined ? definition.emv : { ...definition.emv, pan: options.pan });
  const card = definition.faults.reduce(applyFault, model as VirtualCard);
  return { card, model, definition, pan: model.pan };
}
