/** Decoders for the command DATA blocks of section 6 (the PD side of commands.ts). Pure. */
import { ByteReader, messageInvalid } from './byte-reader.js';
import { COMMAND_KIND_BY_CODE, type LedControl, type OsdpCommand, type OutputControl } from './commands.js';

const OUT_RECORD = 4;
const LED_RECORD = 14;

function records<T>(data: Buffer, size: number, what: string, read: (r: ByteReader) => T): T[] {
  if (data.length === 0 || data.length % size !== 0) throw messageInvalid(`${what}: data is not whole ${size}-byte records`, { length: data.length });
  const reader = new ByteReader(data, what);
  const out: T[] = [];
  while (reader.remaining > 0) out.push(read(reader));
  return out;
}

function readOutput(r: ByteReader): OutputControl {
  return { output: r.u8(), control: r.u8(), timerMs: r.u16() * 100 };
}

function readLed(r: ByteReader): LedControl {
  const reader = r.u8();
  const led = r.u8();
  const temporary = { control: r.u8(), onMs: r.u8() * 100, offMs: r.u8() * 100, onColor: r.u8(), offColor: r.u8(), timerMs: r.u16() * 100 };
  const permanent = { control: r.u8(), onMs: r.u8() * 100, offMs: r.u8() * 100, onColor: r.u8(), offColor: r.u8() };
  return { reader, led, temporary, permanent };
}

export function decodeCommand(code: number, data: Buffer): OsdpCommand {
  const kind = COMMAND_KIND_BY_CODE.get(code);
  if (kind === undefined) throw messageInvalid('unknown command code', { code });
  const r = new ByteReader(data, `command 0x${code.toString(16)}`);
  let command: OsdpCommand;
  switch (kind) {
    case 'poll': case 'lstat': case 'istat': case 'ostat':
      command = { kind };
      break;
    case 'id': case 'cap':
      r.u8(); // reply type requested: 0x00 standard (6.3, 6.4)
      command = { kind };
      break;
    case 'out':
      return { kind, outputs: records(data, OUT_RECORD, 'osdp_OUT', readOutput) };
    case 'led':
      return { kind, leds: records(data, LED_RECORD, 'osdp_LED', readLed) };
    case 'buz':
      command = { kind, reader: r.u8(), tone: r.u8(), onMs: r.u8() * 100, offMs: r.u8() * 100, count: r.u8() };
      break;
    case 'text': {
      const head = { reader: r.u8(), command: r.u8(), tempSeconds: r.u8(), row: r.u8(), column: r.u8() };
      const text = r.bytes(r.u8()).toString('latin1');
      command = { kind, ...head, text };
      break;
    }
    case 'comset':
      command = { kind, address: r.u8(), baudRate: r.u32() };
      break;
    case 'keyset': {
      const keyType = r.u8();
      const length = r.u8();
      if (length !== 16) throw messageInvalid('osdp_KEYSET: key length must be 16', { length });
      command = { kind, keyType, key: r.bytes(length) };
      break;
    }
    case 'chlng':
      command = { kind, cpRandom: r.bytes(8) };
      break;
    case 'scrypt':
      command = { kind, serverCryptogram: r.bytes(16) };
      break;
  }
  r.end();
  return command;
}
