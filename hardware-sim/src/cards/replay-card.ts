/**
 * ReplayCard: answers from a recorded transcript, tolerant of what legitimately changes between
 * taps (terminal data in GPO / GENERATE AC, Le values).
 *
 * Each command gets a match key:
 *   SELECT (A4)                    P1 + the AID / name in the data field (not P2, not Le)
 *   GPO (80 A8), GENERATE AC (AE)  the header CLA INS P1 P2 only (UN, date, amounts change)
 *   READ RECORD (B2)               P1 P2 (record number, SFI)
 *   GET RESPONSE (C0)              the instruction only: answers follow the transcript's order
 *   anything else                  CLA INS P1 P2 + data
 * Among exchanges with the same key the card answers with the first unused one in file order,
 * preferring a byte-for-byte identical command (so a 6Cxx re-send with the corrected Le gets
 * the exchange recorded for it). When all are used it repeats the last one given for that key.
 * No match: 6A82 for a SELECT, 6D00 otherwise. State is cleared on reset (power-on, new tap).
 */
import { toHex } from '@rescard/shared';
import type { Exchange, Transcript } from '../transcript/transcript.js';
import { INS, parseCommand, respond, SW } from './apdu.js';
import { CONTACTLESS_ATR, type VirtualCard } from './virtual-card.js';

export function replayKey(apdu: Buffer): string {
  const command = parseCommand(apdu);
  if (!command) return `RAW:${toHex(apdu)}`;
  const hex = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();
  const header = `${hex(command.cla)}${hex(command.ins)}${hex(command.p1)}${hex(command.p2)}`;
  switch (command.ins) {
    case INS.SELECT:
      return `A4:${hex(command.p1)}:${toHex(command.data)}`;
    case INS.GET_PROCESSING_OPTIONS:
    case INS.GENERATE_AC:
      return `HDR:${header}`;
    case INS.READ_RECORD:
      return `B2:${hex(command.p1)}${hex(command.p2)}`;
    case INS.GET_RESPONSE:
      return 'C0';
    default:
      return `CMD:${header}:${toHex(command.data)}`;
  }
}

export class ReplayCard implements VirtualCard {
  readonly atr: Buffer;
  private readonly byKey = new Map<string, number[]>();
  private readonly used = new Set<number>();
  private readonly lastForKey = new Map<string, number>();

  constructor(private readonly transcript: Transcript, atr: Buffer = atrFromHeader(transcript) ?? CONTACTLESS_ATR) {
    this.atr = atr;
    transcript.exchanges.forEach((exchange, index) => {
      const key = replayKey(exchange.command);
      const list = this.byKey.get(key) ?? [];
      list.push(index);
      this.byKey.set(key, list);
    });
  }

  /** How many recorded exchanges have been answered since the last reset. */
  get usedCount(): number {
    return this.used.size;
  }

  reset(): void {
    this.used.clear();
    this.lastForKey.clear();
  }

  transmit(apdu: Buffer): Buffer {
    const key = replayKey(apdu);
    const index = this.pick(key, apdu);
    if (index === undefined) return respond(key.startsWith('A4:') ? SW.FILE_NOT_FOUND : SW.INS_NOT_SUPPORTED);
    this.used.add(index);
    this.lastForKey.set(key, index);
    return Buffer.from(this.exchange(index).response);
  }

  private pick(key: string, apdu: Buffer): number | undefined {
    const candidates = this.byKey.get(key);
    if (!candidates) return undefined;
    const unused = candidates.filter((i) => !this.used.has(i));
    const exact = unused.find((i) => this.exchange(i).command.equals(apdu));
    return exact ?? unused[0] ?? this.lastForKey.get(key) ?? candidates[candidates.length - 1];
  }

  private exchange(index: number): Exchange {
    const exchange = this.transcript.exchanges[index];
    if (!exchange) throw new RangeError(`no exchange ${index}`);
    return exchange;
  }
}

function atrFromHeader(transcript: Transcript): Buffer | undefined {
  const hex = transcript.header['atr']?.replace(/\s+/g, '');
  return hex && /^([0-9A-Fa-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}
