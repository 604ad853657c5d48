/**
 * The PAN a transcript's card carries, for the simulator's masked one-line summaries: 5A
 * (trailing F nibbles removed) or else the digits of 57 before the D separator.
 */
import { decodeTlv, findTag, type Tlv } from '@rescard/shared';
import { responseData } from '../cards/apdu.js';
import type { Transcript } from './transcript.js';

export function transcriptPan(transcript: Transcript): string | undefined {
  let fromTrack2: string | undefined;
  for (const { response } of transcript.exchanges) {
    let nodes: Tlv[];
    try {
      nodes = decodeTlv(responseData(response));
    } catch {
      continue; // not TLV (e.g. a transaction log record): nothing to find here
    }
    const pan = findTag(nodes, '5A');
    if (pan) return pan.value.toString('hex').toUpperCase().replace(/F+$/, '');
    const track2 = findTag(nodes, '57');
    fromTrack2 ??= track2?.value.toString('hex').toUpperCase().split('D')[0];
  }
  return fromTrack2;
}
