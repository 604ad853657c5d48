/**
 * APDU transcript files (fixtures/emv/*.apdu): `#` header lines naming the source and licence,
 * then alternating `C: <command hex>` / `R: <response hex incl. SW1 SW2>` lines.
 *
 * - Header lines are `# key: value`; a repeated key (e.g. several `note`) keeps every value,
 *   joined by a newline. A source line of the form `source: X license: Y` gives both keys.
 * - `#` lines after the first exchange are comments (they explain the next exchange) and are
 *   kept in `comments`, not in the header. Blank lines are ignored anywhere.
 * - Anything else is an error that names the line: the simulator must not replay a half-read file.
 */
import { readFile } from 'node:fs/promises';
import { RescardError } from '@rescard/shared';

export interface Exchange {
  readonly command: Buffer;
  readonly response: Buffer;
  /** 1-based line number of the `C:` line, for messages. */
  readonly line: number;
}

export interface Transcript {
  readonly header: Record<string, string>;
  readonly exchanges: readonly Exchange[];
  /** `#` lines found between exchanges, with their line numbers. */
  readonly comments: readonly { readonly line: number; readonly text: string }[];
}

const HEX = /^([0-9A-Fa-f]{2})+$/;

function fail(source: string, line: number, reason: string): RescardError {
  return new RescardError('CONFIG_INVALID', `transcript ${source} line ${line}: ${reason}`, { source, line, reason });
}

function addHeader(header: Record<string, string>, key: string, value: string): void {
  const previous = header[key];
  header[key] = previous === undefined ? value : `${previous}\n${value}`;
}

function parseHeaderLine(header: Record<string, string>, text: string): void {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    addHeader(header, 'comment', text);
    return;
  }
  const key = text.slice(0, colon).trim().toLowerCase();
  let value = text.slice(colon + 1).trim();
  const licence = /\s+licen[cs]e:\s*(.*)$/i.exec(value);
  if (key === 'source' && licence) {
    addHeader(header, 'license', licence[1]!.trim());
    value = value.slice(0, licence.index).trim();
  }
  addHeader(header, key, value);
}

function parseHex(source: string, line: number, hex: string, minBytes: number, what: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (!HEX.test(clean)) throw fail(source, line, `${what} is not an even-length hex string`);
  const bytes = Buffer.from(clean, 'hex');
  if (bytes.length < minBytes) throw fail(source, line, `${what} is shorter than ${minBytes} bytes`);
  return bytes;
}

/** Parse transcript text. `source` names the file in error messages. */
export function parseTranscript(text: string, source = '<text>'): Transcript {
  const header: Record<string, string> = {};
  const exchanges: Exchange[] = [];
  const comments: { line: number; text: string }[] = [];
  let pending: { command: Buffer; line: number } | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('#')) {
      const body = trimmed.slice(1).trim();
      if (exchanges.length === 0 && pending === undefined) parseHeaderLine(header, body);
      else comments.push({ line, text: body });
      return;
    }
    const match = /^([CR]):\s*(.*)$/i.exec(trimmed);
    if (!match) throw fail(source, line, 'expected "# ...", "C: <hex>" or "R: <hex>"');
    const kind = match[1]!.toUpperCase();
    if (kind === 'C') {
      if (pending) throw fail(source, line, `command without a response (C: on line ${pending.line} has no R:)`);
      pending = { command: parseHex(source, line, match[2]!, 4, 'command APDU'), line };
      return;
    }
    if (!pending) throw fail(source, line, 'response without a preceding command');
    const response = parseHex(source, line, match[2]!, 2, 'response APDU');
    exchanges.push({ command: pending.command, response, line: pending.line });
    pending = undefined;
  });
  if (pending) throw fail(source, pending.line, 'command without a response at end of file');
  if (exchanges.length === 0) throw fail(source, lines.length, 'no C:/R: exchanges');
  return { header, exchanges, comments };
}

/** Read and parse a transcript file; an unreadable file is a CONFIG_INVALID error naming it. */
export async function readTranscriptFile(path: string): Promise<Transcript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `cannot read transcript ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  return parseTranscript(text, path);
}
