/**
 * Streams a CSV upload through csv-parse: UTF-8 with or without BOM, `;` or `,` (chosen from the
 * header line: the delimiter under which more header cells name known columns), quotes per
 * RFC 4180. Every record reaches the sink with its line number; a malformed record (bad quotes,
 * wrong column count, too long) becomes a line-numbered error and parsing goes on, so one upload
 * reports all its errors. The file's SHA-256 and size are computed on the way.
 *
 * csv-parse's own messages quote cell values (possibly a card number): they are never passed on,
 * only its error code is mapped to a message of ours.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { CsvError, parse, type Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { RescardError } from '@rescard/shared';
import { knownColumnCount } from './csv-columns.js';

export interface CsvSink {
  /** The header record (line 1 after empty lines); false stops the parse. */
  header(cells: string[], line: number): boolean;
  row(cells: string[], line: number): void;
  error(line: number, message: string): void;
}

export interface CsvReadOptions {
  readonly maxBytes: number;
  /** Characters per record (all cells); a longer record is an error. */
  readonly maxRecordChars?: number;
}

export interface CsvReadResult {
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly delimiter: ';' | ',' | null;
}

const PROBE_BYTES = 64 * 1024;

const CSV_MESSAGES: Readonly<Record<string, string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the number of cells differs from the header',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than the delimiter or the end of the line',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted cell (quote the whole cell and double the inner quotes)',
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed (the quote runs to the end of the file)',
  CSV_MAX_RECORD_SIZE: 'the line is too long',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by something other than the delimiter',
};

export function tooLarge(maxBytes: number): RescardError {
  return new RescardError('IMPORT_TOO_LARGE', `the upload is larger than ${maxBytes} bytes`, { maxBytes, status: 413 });
}

function chooseDelimiter(probe: Buffer): ';' | ',' {
  const nl = probe.indexOf(0x0a);
  const line = probe.subarray(0, nl < 0 ? probe.length : nl).toString('utf8').replace(/^\uFEFF/, '');
  const score = (d: ';' | ','): [number, number] => {
    try {
      const rows: unknown = parseSync(line, { delimiter: d, relax_quotes: true });
      const cells = Array.isArray(rows) && Array.isArray(rows[0]) ? (rows[0] as string[]) : [];
      return [knownColumnCount(cells), cells.length];
    } catch {
      return [-1, -1];
    }
  };
  const [a, b] = [score(';'), score(',')];
  return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? ',' : ';';
}

export async function readCsv(body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, options: CsvReadOptions, sink: CsvSink): Promise<CsvReadResult> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let parser: Parser | null = null;
  let delimiter: ';' | ',' | null = null;
  let stopped = false;
  let headerSeen = false;
  const probe: Buffer[] = [];
  let probeBytes = 0;

  const start = (): Parser => {
    const first = Buffer.concat(probe);
    if ((first[0] === 0xff && first[1] === 0xfe) || (first[0] === 0xfe && first[1] === 0xff)) {
      sink.error(1, 'the file is UTF-16: save it as UTF-8 (CSV UTF-8 in Excel)');
      stopped = true;
    }
    delimiter = chooseDelimiter(first);
    const p = parse({
      delimiter, bom: true, skip_empty_lines: true, skip_records_with_error: true, max_record_size: options.maxRecordChars ?? 16_384,
      on_skip: (err: CsvError | undefined) => {
        if (err !== undefined) sink.error(lineOf(err), CSV_MESSAGES[err.code] ?? 'the line is not valid CSV');
      },
    });
    // Flowing, with a synchronous handler: each record is emitted as csv-parse pushes it, so
    // `p.info.lines` is that record's last line (on_record would build an info object per record).
    p.on('data', (cells: string[]) => {
      if (stopped) return;
      if (!headerSeen) {
        headerSeen = true;
        if (!sink.header(cells, p.info.lines)) stopped = true;
      } else {
        sink.row(cells, p.info.lines);
      }
    });
    return p;
  };

  let failure: Promise<never> | null = null;
  /** The parser and a promise that rejects with its first error (raced against its events). */
  const open = (): [Parser, Promise<never>] => {
    const p = start();
    const failed = once(p, 'error').then(([err]) => Promise.reject(err as Error));
    failed.catch(() => undefined);
    return [p, failed];
  };
  /** A CSV error ends the parse with a line-numbered error; anything else (the store failing) propagates. */
  const settle = (err: unknown): void => {
    if (!isCsvError(err)) throw err;
    sink.error(lineOf(err), CSV_MESSAGES[err.code] ?? 'the file is not valid CSV');
    stopped = true;
  };
  const feed = async (p: Parser, buf: Buffer): Promise<void> => {
    if (stopped) return;
    try {
      if (!p.write(buf) && failure !== null) await Promise.race([once(p, 'drain'), failure]);
    } catch (err) {
      settle(err);
    }
  };
  for await (const raw of body) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    sizeBytes += chunk.length;
    if (sizeBytes > options.maxBytes) throw tooLarge(options.maxBytes);
    hash.update(chunk);
    if (stopped) continue; // keep hashing and counting; the rows no longer matter
    if (parser !== null) {
      await feed(parser, chunk);
      continue;
    }
    probe.push(chunk);
    probeBytes += chunk.length;
    if (chunk.includes(0x0a) || probeBytes >= PROBE_BYTES) {
      [parser, failure] = open();
      await feed(parser, Buffer.concat(probe));
    }
  }
  if (parser === null && probeBytes > 0) {
    [parser, failure] = open();
    await feed(parser, Buffer.concat(probe));
  }
  if (parser !== null && failure !== null) {
    const p: Parser = parser;
    if (!p.destroyed) {
      p.end();
      await Promise.race([once(p, 'end'), failure]).catch(settle);
    }
  }
  if (!headerSeen && !stopped) sink.error(1, 'the file is empty (no header line)');
  return { sha256: hash.digest('hex'), sizeBytes, delimiter };
}

function isCsvError(err: unknown): err is CsvError {
  return err instanceof CsvError;
}

function lineOf(err: CsvError): number {
  const lines = (err as unknown as { lines?: unknown }).lines;
  return typeof lines === 'number' && lines > 0 ? lines : 1;
}
