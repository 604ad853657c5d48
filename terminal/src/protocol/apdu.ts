/**
 * Command APDUs for the EMV contactless read (ISO/IEC 7816-4 §5, EMV Book 1 §11, Book 3 §6.5)
 * and helpers to split a response into data and status word. Pure.
 */
import { fromHex } from '@rescard/shared';

export const SW_OK = 0x9000;

/** SELECT by DF name (AID or "2PAY.SYS.DDF01"), first or only occurrence, Le = 00. */
export function selectByName(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0xa4, 0x04, 0x00, name.length]), name, Buffer.from([0x00])]);
}

export const PPSE_NAME = Buffer.from('2PAY.SYS.DDF01', 'ascii');

export function selectAid(aidHex: string): Buffer {
  return selectByName(fromHex(aidHex));
}

/** GET PROCESSING OPTIONS with the PDOL data wrapped in tag 83 (EMV Book 3 §6.5.8). */
export function getProcessingOptions(pdolData: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x83, pdolData.length]), pdolData]);
  return Buffer.concat([Buffer.from([0x80, 0xa8, 0x00, 0x00, body.length]), body, Buffer.from([0x00])]);
}

/** READ RECORD (EMV Book 3 §6.5.11): P1 = record number, P2 = (SFI << 3) | 4. */
export function readRecord(sfi: number, record: number, le = 0x00): Buffer {
  return Buffer.from([0x00, 0xb2, record, (sfi << 3) | 0x04, le]);
}

/** GET RESPONSE (ISO 7816-4 §7.6.1) after a 61xx. */
export function getResponse(le: number): Buffer {
  return Buffer.from([0x00, 0xc0, 0x00, 0x00, le]);
}

export interface ResponseApdu {
  readonly data: Buffer;
  readonly sw: number;
}

export function splitResponse(response: Buffer): ResponseApdu | null {
  if (response.length < 2) return null;
  return {
    data: response.subarray(0, response.length - 2),
    sw: response.readUInt16BE(response.length - 2),
  };
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** Replace the Le byte of a case-2/case-4 short command (the last byte). */
export function withLe(command: Buffer, le: number): Buffer {
  const copy = Buffer.from(command);
  copy[copy.length - 1] = le;
  return copy;
}
