/**
 * Transport-level status words, applied above every CardReader so that adapters and fakes
 * behave alike (ISO/IEC 7816-4 §5.1.3 and EMV Book 1 §9.3 for T=0 behaviour seen over
 * contactless stacks too):
 *  - 61xx: xx more bytes are waiting; send GET RESPONSE with Le = xx and append the data.
 *    Chains are bounded (MAX_GET_RESPONSE) so a card cannot keep us in a loop.
 *  - 6Cxx: wrong Le; resend the same command once with Le = xx.
 */
import { RescardError } from '@rescard/shared';
import { getResponse, splitResponse, swHex, withLe } from '../protocol/apdu.js';

export type Transmit = (command: Buffer) => Promise<Buffer>;

export const MAX_GET_RESPONSE = 16;

export function withTransportRules(transmit: Transmit): Transmit {
  return async (command) => {
    let response = await transmitChecked(transmit, command);
    if (response.sw >> 8 === 0x6c) {
      response = await transmitChecked(transmit, withLe(command, response.sw & 0xff));
    }
    const parts: Buffer[] = [response.data];
    let chained = 0;
    while (response.sw >> 8 === 0x61) {
      chained += 1;
      if (chained > MAX_GET_RESPONSE) {
        throw new RescardError('CARD_MALFORMED_RESPONSE', 'card kept answering 61xx', { chained });
      }
      response = await transmitChecked(transmit, getResponse(response.sw & 0xff));
      parts.push(response.data);
    }
    const sw = Buffer.alloc(2);
    sw.writeUInt16BE(response.sw);
    return Buffer.concat([...parts, sw]);
  };
}

async function transmitChecked(transmit: Transmit, command: Buffer): Promise<{ data: Buffer; sw: number }> {
  const raw = await transmit(command);
  const response = splitResponse(raw);
  if (!response) {
    throw new RescardError('CARD_MALFORMED_RESPONSE', 'response shorter than a status word', {
      ins: command[1] === undefined ? null : swHex(command[1]).slice(2),
      length: raw.length,
    });
  }
  return response;
}
