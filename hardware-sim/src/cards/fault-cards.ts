/**
 * Fault behaviours as wrappers around any VirtualCard, so every fault works the same on the
 * EMV model and on a replayed transcript. Transport faults (61xx, 6Cxx) are in transport-faults.ts.
 */
import { INS, parseCommand, respond, statusWord, SW } from './apdu.js';
import { PPSE_NAME } from './emv-card-data.js';
import type { VirtualCard } from './virtual-card.js';

/** Passes everything to the inner card; fault wrappers override `transmit`. */
export class DelegatingCard implements VirtualCard {
  constructor(protected readonly inner: VirtualCard) {}

  get atr(): Buffer {
    return this.inner.atr;
  }

  get removed(): boolean {
    return this.inner.removed === true;
  }

  reset(): void {
    this.inner.reset?.();
  }

  transmit(apdu: Buffer): Buffer | Promise<Buffer | null> {
    return this.inner.transmit(apdu);
  }
}

/** Powers up (answers the ATR) but never answers a command. */
export class SilentCard extends DelegatingCard {
  override transmit(_apdu: Buffer): Promise<Buffer | null> {
    return Promise.resolve(null);
  }
}

/** Answers the GET PROCESSING OPTIONS, then leaves the field: the host drops the connection. */
export class RemovedAfterGpoCard extends DelegatingCard {
  private gone = false;

  override get removed(): boolean {
    return this.gone || super.removed;
  }

  override reset(): void {
    this.gone = false;
    super.reset();
  }

  override async transmit(apdu: Buffer): Promise<Buffer | null> {
    if (this.gone) return null;
    const response = await this.inner.transmit(apdu);
    if (apdu[0] === 0x80 && apdu[1] === INS.GET_PROCESSING_OPTIONS && response && statusWord(response) === SW.OK) this.gone = true;
    return response;
  }
}

function isSelectPpse(apdu: Buffer): boolean {
  const command = parseCommand(apdu);
  return command?.ins === INS.SELECT && command.data.equals(PPSE_NAME);
}

function isSelectAid(apdu: Buffer): boolean {
  const command = parseCommand(apdu);
  return command?.ins === INS.SELECT && !command.data.equals(PPSE_NAME);
}

/** Answers matching commands with a fixed status word and nothing else. */
export class StatusOverrideCard extends DelegatingCard {
  constructor(inner: VirtualCard, private readonly matches: (apdu: Buffer) => boolean, private readonly sw: number) {
    super(inner);
  }

  override transmit(apdu: Buffer): Buffer | Promise<Buffer | null> {
    return this.matches(apdu) ? respond(this.sw) : this.inner.transmit(apdu);
  }
}

/** SELECT 2PAY.SYS.DDF01 answers 6A82: the terminal must fall back to selecting AIDs directly. */
export function ppseNotFound(inner: VirtualCard): VirtualCard {
  return new StatusOverrideCard(inner, isSelectPpse, SW.FILE_NOT_FOUND);
}

/** Every SELECT of an application answers 6985 (conditions of use not satisfied): a locked card. */
export function applicationsLocked(inner: VirtualCard): VirtualCard {
  return new StatusOverrideCard(inner, isSelectAid, SW.CONDITIONS_NOT_SATISFIED);
}

/**
 * READ RECORD of one record answers a truncated TLV: the last `dropBytes` bytes of the data are
 * cut while the 70 template keeps its declared length. SW stays 9000.
 */
export class TruncatedRecordCard extends DelegatingCard {
  constructor(inner: VirtualCard, private readonly p1: number, private readonly p2: number, private readonly dropBytes = 4) {
    super(inner);
  }

  override async transmit(apdu: Buffer): Promise<Buffer | null> {
    const response = await this.inner.transmit(apdu);
    const isTarget = apdu[1] === INS.READ_RECORD && apdu[2] === this.p1 && apdu[3] === this.p2;
    if (!isTarget || !response || statusWord(response) !== SW.OK || response.length <= this.dropBytes + 2) return response;
    const data = response.subarray(0, response.length - 2 - this.dropBytes);
    return respond(SW.OK, data);
  }
}
