/**
 * @rescard/hardware-sim: virtual EMV cards for tests and demos, in-process or on the real
 * PC/SC stack through vpcd. Test equipment: never install on a production device.
 */
export { CONTACTLESS_ATR, atrChecksumOk, type VirtualCard } from './cards/virtual-card.js';
export { parseCommand, respond, statusWord, responseData, SW, INS, type CommandApdu } from './cards/apdu.js';
export { ReplayCard, replayKey } from './cards/replay-card.js';
export { EmvCardModel } from './cards/emv-card-model.js';
export type { EmvProfile, EmvApplication, EmvRecord } from './cards/emv-profile.js';
export { PPSE_NAME, track2, dolLength, deriveAfl } from './cards/emv-card-data.js';
export {
  PROFILES,
  MIR_TEST_PAR,
  profileNames,
  buildProfileCard,
  type CardFault,
  type CardProfileDefinition,
  type ProfileCard,
} from './cards/profiles.js';
export { MIR_AID, VISA_AID, MASTERCARD_AID, UNIONPAY_AID } from './cards/profile-applications.js';
export {
  DelegatingCard,
  SilentCard,
  RemovedAfterGpoCard,
  StatusOverrideCard,
  TruncatedRecordCard,
  ppseNotFound,
  applicationsLocked,
} from './cards/fault-cards.js';
export { Sw61Card, Sw6cCard } from './cards/transport-faults.js';
export { parseTranscript, readTranscriptFile, type Transcript, type Exchange } from './transcript/transcript.js';
export { transcriptPan } from './transcript/transcript-pan.js';
export {
  presentCard,
  VPCD_DEFAULT_HOST,
  VPCD_DEFAULT_PORT,
  type PresentCardOptions,
  type PresentedCard,
  type RemovalReason,
} from './vpcd/vpcd-client.js';
export { encodeFrame, FrameDecoder, VPCD_CONTROL } from './vpcd/vpcd-framing.js';
export { EMV_FIXTURES_DIR, emvFixturePath } from './fixtures.js';
export { maskPan, luhnValid, isPanShaped } from './pan.js';
export * from './gps/index.js';
export * from './osdp/index.js';
export * from './fleet/index.js';
