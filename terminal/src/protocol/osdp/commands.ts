/**
 * Typed commands (CP to PD), section 6, with encoders and decoders for their DATA block. Times are
 * in milliseconds in this API and in 100 ms units on the wire (rounded up). Pure.
 */
import { byteField, messageInvalid, toTenths } from './byte-reader.js';
import { CMD } from './codes.js';

/** 6.9 (Tables 13, 14): output control codes. */
export const OUTPUT_CONTROL = {
  NOP: 0x00,
  PERMANENT_OFF_ABORT_TIMED: 0x01,
  PERMANENT_ON_ABORT_TIMED: 0x02,
  PERMANENT_OFF_AFTER_TIMED: 0x03,
  PERMANENT_ON_AFTER_TIMED: 0x04,
  TEMPORARY_ON: 0x05,
  TEMPORARY_OFF: 0x06,
} as const;

export interface OutputControl {
  /** 0 = the PD's first output. */
  readonly output: number;
  readonly control: number;
  /** Only for TEMPORARY_ON/OFF; 100 ms resolution. */
  readonly timerMs: number;
}

export interface LedTemporary {
  /** 0 NOP, 1 cancel temporary, 2 set temporary state and start the timer. */
  readonly control: number;
  readonly onMs: number;
  readonly offMs: number;
  readonly onColor: number;
  readonly offColor: number;
  readonly timerMs: number;
}

export interface LedPermanent {
  /** 0 NOP, 1 set permanent state. */
  readonly control: number;
  readonly onMs: number;
  readonly offMs: number;
  readonly onColor: number;
  readonly offColor: number;
}

export interface LedControl {
  readonly reader: number;
  readonly led: number;
  readonly temporary: LedTemporary;
  readonly permanent: LedPermanent;
}

export type OsdpCommand =
  | { readonly kind: 'poll' | 'lstat' | 'istat' | 'ostat' | 'id' | 'cap' }
  | { readonly kind: 'out'; readonly outputs: readonly OutputControl[] }
  | { readonly kind: 'led'; readonly leds: readonly LedControl[] }
  /** 6.11: tone 0 none, 1 off, 2 default tone; count 0 = until told otherwise. */
  | { readonly kind: 'buz'; readonly reader: number; readonly tone: number; readonly onMs: number; readonly offMs: number; readonly count: number }
  /** 6.12: command 1/2 permanent (no wrap/wrap), 3/4 temporary; printable ASCII only. */
  | { readonly kind: 'text'; readonly reader: number; readonly command: number; readonly tempSeconds: number; readonly row: number; readonly column: number; readonly text: string }
  | { readonly kind: 'comset'; readonly address: number; readonly baudRate: number }
  /** 6.16: key type 1 = SCBK, 16 bytes. */
  | { readonly kind: 'keyset'; readonly keyType: number; readonly key: Buffer }
  | { readonly kind: 'chlng'; readonly cpRandom: Buffer }
  | { readonly kind: 'scrypt'; readonly serverCryptogram: Buffer };

export type CommandKind = OsdpCommand['kind'];

const EMPTY = Buffer.alloc(0);
const NO_DATA = { poll: CMD.POLL, lstat: CMD.LSTAT, istat: CMD.ISTAT, ostat: CMD.OSTAT } as const;
export const COMMAND_KIND_BY_CODE: ReadonlyMap<number, CommandKind> = new Map<number, CommandKind>([
  [CMD.POLL, 'poll'], [CMD.LSTAT, 'lstat'], [CMD.ISTAT, 'istat'], [CMD.OSTAT, 'ostat'], [CMD.ID, 'id'], [CMD.CAP, 'cap'],
  [CMD.OUT, 'out'], [CMD.LED, 'led'], [CMD.BUZ, 'buz'], [CMD.TEXT, 'text'], [CMD.COMSET, 'comset'], [CMD.KEYSET, 'keyset'],
  [CMD.CHLNG, 'chlng'], [CMD.SCRYPT, 'scrypt'],
]);

function fixed(bytes: Buffer, length: number, field: string): Buffer {
  if (bytes.length !== length) throw messageInvalid(`${field} must be ${length} bytes`, { length: bytes.length });
  return bytes;
}

function encodeLed(led: LedControl): number[] {
  const t = led.temporary;
  const p = led.permanent;
  const timer = toTenths(t.timerMs, 0xffff, 'LED timer');
  return [
    byteField(led.reader, 'reader'), byteField(led.led, 'LED number'),
    byteField(t.control, 'LED temporary control'), toTenths(t.onMs, 0xff, 'LED on time'), toTenths(t.offMs, 0xff, 'LED off time'),
    byteField(t.onColor, 'LED colour'), byteField(t.offColor, 'LED colour'), timer & 0xff, timer >> 8,
    byteField(p.control, 'LED permanent control'), toTenths(p.onMs, 0xff, 'LED on time'), toTenths(p.offMs, 0xff, 'LED off time'),
    byteField(p.onColor, 'LED colour'), byteField(p.offColor, 'LED colour'),
  ];
}

function encodeText(text: string): Buffer {
  if (!/^[\x20-\x7e]*$/.test(text) || text.length > 0xff) throw messageInvalid('TEXT takes printable ASCII only (6.12)', { length: text.length });
  return Buffer.from(text, 'latin1');
}

export function encodeCommand(command: OsdpCommand): { code: number; data: Buffer } {
  switch (command.kind) {
    case 'poll': case 'lstat': case 'istat': case 'ostat':
      return { code: NO_DATA[command.kind], data: EMPTY };
    case 'id': return { code: CMD.ID, data: Buffer.from([0x00]) };
    case 'cap': return { code: CMD.CAP, data: Buffer.from([0x00]) };
    case 'out': {
      if (command.outputs.length === 0) throw messageInvalid('osdp_OUT needs at least one output record');
      const bytes = command.outputs.flatMap((o) => {
        const timer = toTenths(o.timerMs, 0xffff, 'output timer');
        return [byteField(o.output, 'output number'), byteField(o.control, 'output control code', 0x06), timer & 0xff, timer >> 8];
      });
      return { code: CMD.OUT, data: Buffer.from(bytes) };
    }
    case 'led':
      if (command.leds.length === 0) throw messageInvalid('osdp_LED needs at least one LED record');
      return { code: CMD.LED, data: Buffer.from(command.leds.flatMap(encodeLed)) };
    case 'buz':
      return { code: CMD.BUZ, data: Buffer.from([byteField(command.reader, 'reader'), byteField(command.tone, 'tone code'), toTenths(command.onMs, 0xff, 'buzzer on time'), toTenths(command.offMs, 0xff, 'buzzer off time'), byteField(command.count, 'buzzer count')]) };
    case 'text': {
      const text = encodeText(command.text);
      const head = [command.reader, command.command, command.tempSeconds, command.row, command.column].map((v) => byteField(v, 'text field'));
      return { code: CMD.TEXT, data: Buffer.concat([Buffer.from([...head, text.length]), text]) };
    }
    case 'comset': {
      const data = Buffer.alloc(5);
      data[0] = byteField(command.address, 'COMSET address', 0x7e);
      data.writeUInt32LE(command.baudRate, 1);
      return { code: CMD.COMSET, data };
    }
    case 'keyset':
      return { code: CMD.KEYSET, data: Buffer.concat([Buffer.from([byteField(command.keyType, 'key type'), command.key.length]), fixed(command.key, 16, 'SCBK')]) };
    case 'chlng': return { code: CMD.CHLNG, data: fixed(command.cpRandom, 8, 'RND.A') };
    case 'scrypt': return { code: CMD.SCRYPT, data: fixed(command.serverCryptogram, 16, 'server cryptogram') };
  }
}
