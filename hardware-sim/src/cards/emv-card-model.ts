/**
 * EmvCardModel: a contactless EMV card built from an EmvProfile. It answers
 *   SELECT 2PAY.SYS.DDF01      FCI listing the applications (EMV Book B)
 *   SELECT AID (full or partial name, P2 = 00)   FCI with label, priority and PDOL
 *   GET PROCESSING OPTIONS     83-template length checked against the PDOL (6700 if wrong),
 *                              answered in format 1 (80) or 2 (77)
 *   READ RECORD                records from the profile, 70 templates (6A83 if absent)
 *   GET DATA 9F36              application transaction counter
 * Everything else gets 6D00. Faults live in fault-cards.ts as wrappers around this model.
 */
import { decodeTlv, encodeTlv, findTag, type TlvInput } from '@rescard/shared';
import { type CommandApdu, INS, parseCommand, respond, SW } from './apdu.js';
import { applicationFci, dataElements, deriveAfl, dolLength, PPSE_NAME, ppseFci, tlvsFor } from './emv-card-data.js';
import type { EmvApplication, EmvProfile } from './emv-profile.js';
import { CONTACTLESS_ATR, type VirtualCard } from './virtual-card.js';

export class EmvCardModel implements VirtualCard {
  readonly atr: Buffer;
  private selected: EmvApplication | undefined;
  /** Application transaction counter: survives taps, like on a real card. */
  private atc = 1;

  constructor(readonly profile: EmvProfile) {
    this.atr = profile.atr ?? CONTACTLESS_ATR;
    if (profile.applications.length === 0) throw new Error('an EMV profile needs at least one application');
  }

  get pan(): string {
    return this.profile.pan;
  }

  reset(): void {
    this.selected = undefined;
  }

  transmit(apdu: Buffer): Buffer {
    const command = parseCommand(apdu);
    if (!command) return respond(SW.WRONG_LENGTH);
    switch (command.ins) {
      case INS.SELECT:
        return this.select(command);
      case INS.GET_PROCESSING_OPTIONS:
        return command.cla === 0x80 ? this.getProcessingOptions(command) : respond(SW.INS_NOT_SUPPORTED);
      case INS.READ_RECORD:
        return this.readRecord(command);
      case INS.GET_DATA:
        return this.getData(command);
      default:
        return respond(SW.INS_NOT_SUPPORTED);
    }
  }

  private select(command: CommandApdu): Buffer {
    this.selected = undefined;
    if (command.p1 !== 0x04 || command.p2 !== 0x00) return respond(SW.FILE_NOT_FOUND);
    if (command.data.equals(PPSE_NAME)) return respond(SW.OK, ppseFci(this.profile.applications));
    const name = command.data.toString('hex').toUpperCase();
    // ISO/IEC 7816-4 partial name selection: a RID or shortened AID selects the first match.
    const app = name.length >= 10 ? this.profile.applications.find((a) => a.aid.toUpperCase().startsWith(name)) : undefined;
    if (!app) return respond(SW.FILE_NOT_FOUND);
    this.selected = app;
    return respond(SW.OK, applicationFci(app));
  }

  private getProcessingOptions(command: CommandApdu): Buffer {
    const app = this.selected;
    if (!app) return respond(SW.CONDITIONS_NOT_SATISFIED);
    let pdolData: Buffer | undefined;
    try {
      const nodes = decodeTlv(command.data);
      pdolData = nodes.length === 1 ? findTag(nodes, '83')?.value : undefined;
    } catch {
      return respond(SW.WRONG_LENGTH); // the 83 template's length does not fit the data field
    }
    if (pdolData === undefined) return respond(SW.WRONG_DATA);
    if (pdolData.length !== dolLength(Buffer.from(app.pdol, 'hex'))) return respond(SW.WRONG_LENGTH);
    this.atc = (this.atc + 1) & 0xffff;
    const aip = Buffer.from(app.aip, 'hex');
    const afl = app.afl !== undefined ? Buffer.from(app.afl, 'hex') : deriveAfl(app.records);
    if (app.gpoFormat === 1) return respond(SW.OK, encodeTlv([{ tag: '80', value: Buffer.concat([aip, afl]) }]));
    const children: TlvInput[] = [
      { tag: '82', value: aip },
      { tag: '94', value: afl },
      ...tlvsFor(app.gpoTags ?? [], this.elements(app)),
    ];
    return respond(SW.OK, encodeTlv([{ tag: '77', children }]));
  }

  private readRecord(command: CommandApdu): Buffer {
    if ((command.p2 & 0x07) !== 0x04) return respond(SW.WRONG_DATA);
    const sfi = command.p2 >> 3;
    const app = this.selected ?? this.profile.applications[0]!;
    const record = app.records.find((r) => r.sfi === sfi && r.record === command.p1);
    if (!record) return respond(SW.RECORD_NOT_FOUND);
    return respond(SW.OK, encodeTlv([{ tag: '70', children: tlvsFor(record.tags, this.elements(app)) }]));
  }

  private getData(command: CommandApdu): Buffer {
    const tag = ((command.p1 << 8) | command.p2).toString(16).toUpperCase();
    const value = this.elements(this.selected ?? this.profile.applications[0]!).get(tag);
    if (command.cla !== 0x80 || value === undefined) return respond(SW.REFERENCED_DATA_NOT_FOUND);
    return respond(SW.OK, encodeTlv([{ tag, value }]));
  }

  private elements(app: EmvApplication): Map<string, Buffer> {
    const elements = dataElements(this.profile, app);
    elements.set('9F36', Buffer.from([this.atc >> 8, this.atc & 0xff]));
    return elements;
  }
}
