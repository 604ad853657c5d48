/**
 * Transport-level status words a terminal must handle (ISO/IEC 7816-4, 5.3.4 / 5.6 and
 * EMV Book 1, 9.3.1.3): 61xx "xx more bytes: send GET RESPONSE" and 6Cxx "wrong Le: resend
 * with Le = xx". Both wrap any VirtualCard.
 */
import { INS, parseCommand, respond, responseData, statusWord, SW } from './apdu.js';
import { DelegatingCard } from './fault-cards.js';

/**
 * Every response that carries data is answered 61xx (xx = bytes waiting, 00 for 256 or more);
 * GET RESPONSE 00 C0 00 00 Le then delivers up to Le bytes (00 = 256) with the original status
 * word, or 61yy while more remain. Any other command drops what was waiting.
 */
export class Sw61Card extends DelegatingCard {
  private waiting: { data: Buffer; sw: number } | undefined;

  override reset(): void {
    this.waiting = undefined;
    super.reset();
  }

  override async transmit(apdu: Buffer): Promise<Buffer | null> {
    const command = parseCommand(apdu);
    if (command?.ins === INS.GET_RESPONSE && command.cla === 0x00) return this.getResponse(command.le ?? 0);
    this.waiting = undefined;
    const response = await this.inner.transmit(apdu);
    if (!response || response.length <= 2) return response;
    this.waiting = { data: responseData(response), sw: statusWord(response) };
    return respond(0x6100 | (Math.min(this.waiting.data.length, 256) & 0xff));
  }

  private getResponse(le: number): Buffer {
    const waiting = this.waiting;
    if (!waiting) return respond(SW.CONDITIONS_NOT_SATISFIED);
    const chunk = waiting.data.subarray(0, le === 0 ? 256 : le);
    const rest = waiting.data.subarray(chunk.length);
    if (rest.length === 0) {
      this.waiting = undefined;
      return respond(waiting.sw, chunk);
    }
    this.waiting = { data: rest, sw: waiting.sw };
    return respond(0x6100 | (Math.min(rest.length, 256) & 0xff), chunk);
  }
}

/**
 * READ RECORD with an Le that is not the record's exact length (Le = 00 included) answers
 * 6Cxx with the exact length; the re-sent command with Le = xx gets the record.
 */
export class Sw6cCard extends DelegatingCard {
  override async transmit(apdu: Buffer): Promise<Buffer | null> {
    const response = await this.inner.transmit(apdu);
    const command = parseCommand(apdu);
    if (command?.ins !== INS.READ_RECORD || !response || statusWord(response) !== SW.OK) return response;
    const length = response.length - 2;
    const le = command.le ?? 0;
    const asked = le === 0 ? 256 : le;
    return asked === length ? response : respond(0x6c00 | (length & 0xff));
  }
}
