/**
 * The payload of a list file, chunk by chunk: SHA-256 over the bytes exactly as written, line
 * splitting with a bound on line length, a line count, and (when asked) each line parsed.
 * Memory is one chunk plus at most one partial line, whatever the file's size. The same scanner
 * serves the async reader, the sync reader and tests that feed bytes directly.
 *
 * finish() is the verdict: it throws LIST_FILE_INVALID if the last line has no newline, or the
 * digest or count differ from what was expected. A caller must not act on the yielded records
 * (commit them) before finish() returned.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { RescardError } from '../errors.js';
import { lineError, parseRecordLine, type ListFileRecord, type PayloadKind } from './list-record.js';

/** Longest payload line accepted, bytes (a full entry is ~250). */
export const MAX_LINE_BYTES = 8192;

export interface PayloadDigest {
  /** Lowercase hex SHA-256 of the payload bytes. */
  readonly sha256: string;
  /** Payload lines. */
  readonly count: number;
}

export interface ListFileLine {
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  readonly record: ListFileRecord;
}

export interface ScanOptions {
  readonly kind: PayloadKind;
  readonly dev: boolean;
  /** Parse each line into a record (false: hash and count only). */
  readonly parse: boolean;
  /** What the payload must hash to and count; a dev manifest may omit either. */
  readonly expected?: { readonly sha256?: string | undefined; readonly count?: number | undefined } | undefined;
  /** Refuse more lines than this (bounds a delta held in memory). */
  readonly maxCount?: number;
}

function mismatch(problem: string, reason: string, details: Record<string, unknown>): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list file: ${problem}`, { reason, ...details });
}

export class PayloadScanner {
  private readonly hash: Hash = createHash('sha256');
  // ignoreBOM: a U+FEFF at the start of a line stays in it (and fails JSON), as it does on the
  // checked path; a line must not parse differently with where a chunk boundary falls.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private count = 0;
  private readonly options: ScanOptions;

  constructor(options: ScanOptions) {
    this.options = options;
  }

  /** Feed the next bytes; yields the records of the lines they complete (when parsing). Iterate it to the end. */
  *push(chunk: Buffer): Generator<ListFileLine, void, undefined> {
    this.hash.update(chunk);
    let start = 0;
    // The whole lines from `start` to the chunk's last newline are checked as UTF-8 in one call (a
    // newline never sits inside a multi-byte character, so each line of valid bytes is valid),
    // then each is decoded without a second check. Lines split across chunks, and every line of a
    // region that fails the check, go through the fatal decoder, which names the bad line.
    let checkedFrom = -1;
    let checkedOk = false;
    const lastNl = this.options.parse ? chunk.lastIndexOf(0x0a) : -1;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      const line = this.count + 2;
      const bytes = this.partialBytes + nl - start;
      if (bytes === 0) throw lineError(line, 'is empty');
      if (bytes > MAX_LINE_BYTES) throw lineError(line, `is longer than ${MAX_LINE_BYTES} bytes`);
      this.count += 1;
      this.checkCount();
      if (this.options.parse) {
        let text: string;
        if (this.partial.length === 0) {
          if (checkedFrom === -1) {
            checkedFrom = start;
            checkedOk = isUtf8(chunk.subarray(start, lastNl));
          }
          text = checkedOk ? chunk.toString('utf8', start, nl) : this.decode(chunk.subarray(start, nl), line);
        } else {
          text = this.decode(Buffer.concat([...this.partial, chunk.subarray(start, nl)]), line);
        }
        yield { line, record: parseRecordLine(text, { kind: this.options.kind, dev: this.options.dev, line }) };
      }
      this.partial = [];
      this.partialBytes = 0;
      start = nl + 1;
    }
  }

  /** Feed the next bytes, discarding records (hash-and-count passes). */
  feed(chunk: Buffer): void {
    for (const _line of this.push(chunk)) void _line;
  }

  /** The payload's digest; throws if it is truncated or differs from the expected digest. */
  finish(): PayloadDigest {
    if (this.partialBytes > 0) {
      throw lineError(this.count + 2, 'has no final newline (truncated file?)');
    }
    const digest = { sha256: this.hash.digest('hex'), count: this.count };
    const { expected } = this.options;
    if (expected?.sha256 !== undefined && digest.sha256 !== expected.sha256) {
      throw mismatch('the payload does not match the manifest\'s sha256 (altered or truncated)', 'sha256', {
        expected: expected.sha256, actual: digest.sha256,
      });
    }
    if (expected?.count !== undefined && digest.count !== expected.count) {
      throw mismatch(`the payload has ${digest.count} lines, the manifest says ${expected.count}`, 'count', {
        expected: expected.count, actual: digest.count,
      });
    }
    return digest;
  }

  private checkCount(): void {
    const { expected, maxCount } = this.options;
    if (expected?.count !== undefined && this.count > expected.count) {
      throw mismatch(`the payload has more lines than the manifest's count (${expected.count})`, 'count', {
        expected: expected.count, actual: this.count,
      });
    }
    if (maxCount !== undefined && this.count > maxCount) {
      throw mismatch(`more than ${maxCount} lines (send a snapshot instead of so large a delta)`, 'too-large', { maxCount });
    }
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    this.partialBytes += piece.length;
    if (this.partialBytes > MAX_LINE_BYTES) throw lineError(this.count + 2, `is longer than ${MAX_LINE_BYTES} bytes`);
    this.partial.push(Buffer.from(piece)); // a copy: readers reuse their chunk buffer
  }

  private decode(raw: Buffer, line: number): string {
    try {
      return this.decoder.decode(raw);
    } catch {
      throw lineError(line, 'is not valid UTF-8');
    }
  }
}
