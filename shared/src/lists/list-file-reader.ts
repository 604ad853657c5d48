/**
 * Reading a list file with constant memory: the header, then the payload in chunks through a
 * PayloadScanner. Every read is positional on one open file handle, so all passes see the same
 * file (a rename over the path between passes does not switch files under the reader).
 *
 * - digest():        pass 1, async: hash and count only, checked against the manifest.
 * - records():       async: parsed lines while hashing; throws at the end on any mismatch.
 * - recordsSync(d?): sync (for a store's synchronous transaction): the same, checked at the end
 *                    against `d` (a digest pass 1 verified) or, without it, the manifest; a store
 *                    that commits only after the generator finished needs no pass 1.
 * A caller must not commit anything a generator yielded before the generator has finished.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { RescardError, isRescardError } from '../errors.js';
import { MAX_HEADER_BYTES, headerError, parseHeaderLine, type ListFileHeader } from './list-header.js';
import type { PayloadKind } from './list-record.js';
import { PayloadScanner, type ListFileLine, type PayloadDigest, type ScanOptions } from './payload-scanner.js';

export const READ_CHUNK_BYTES = 256 * 1024;

function ioError(path: string, op: string, err: unknown): RescardError {
  if (isRescardError(err)) return err;
  const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
  return new RescardError('LIST_FILE_INVALID', `list file ${path}: ${op} failed (${code})`, { reason: 'io', path, op }, { cause: err });
}

export class ListFileReader {
  readonly path: string;
  readonly header: ListFileHeader;
  /** Byte offset of the payload: just after the header's newline. */
  readonly payloadOffset: number;
  readonly kind: PayloadKind;
  private readonly handle: FileHandle;

  private constructor(path: string, handle: FileHandle, header: ListFileHeader, payloadOffset: number) {
    this.path = path;
    this.handle = handle;
    this.header = header;
    this.payloadOffset = payloadOffset;
    this.kind = header.manifest.baseVersion === null ? 'snapshot' : 'delta';
  }

  /** Open `path` and parse its header. The caller must close() the reader. */
  static async open(path: string): Promise<ListFileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw ioError(path, 'open', err);
    }
    try {
      const buf = Buffer.alloc(MAX_HEADER_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0).catch((err: unknown) => {
        throw ioError(path, 'read', err);
      });
      if (bytesRead === 0) throw headerError('is missing (empty file)');
      const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
      if (nl === -1) throw headerError(bytesRead > MAX_HEADER_BYTES ? `is longer than ${MAX_HEADER_BYTES} bytes` : 'has no newline');
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, nl));
      } catch {
        throw headerError('is not valid UTF-8');
      }
      return new ListFileReader(path, handle, parseHeaderLine(text), nl + 1);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** What the manifest promises about the payload (a dev manifest may leave either out). */
  promised(): { sha256?: string | undefined; count?: number | undefined } {
    return { sha256: this.header.manifest.sha256, count: this.header.manifest.count };
  }

  /** Pass 1: hash and count the payload without parsing it; throws unless it matches the manifest. */
  async digest(): Promise<PayloadDigest> {
    const scanner = this.scanner({ parse: false, expected: this.promised() });
    for await (const chunk of this.chunks()) scanner.feed(chunk);
    return scanner.finish();
  }

  /** Parsed lines while hashing; the return value is the verified digest. */
  async *records(options: { maxCount?: number } = {}): AsyncGenerator<ListFileLine, PayloadDigest, undefined> {
    const scanner = this.scanner({ parse: true, expected: this.promised(), ...options });
    for await (const chunk of this.chunks()) yield* scanner.push(chunk);
    return scanner.finish();
  }

  /** Parsed lines, synchronously, checked at the end against `verified` (from digest()) or the manifest. */
  *recordsSync(verified?: PayloadDigest, options: { maxCount?: number } = {}): Generator<ListFileLine, PayloadDigest, undefined> {
    const scanner = this.scanner({ parse: true, expected: verified ?? this.promised(), ...options });
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (let pos = this.payloadOffset; ;) {
      let n: number;
      try {
        n = readSync(this.handle.fd, buf, 0, buf.length, pos);
      } catch (err) {
        throw ioError(this.path, 'read', err);
      }
      if (n === 0) return scanner.finish();
      pos += n;
      yield* scanner.push(buf.subarray(0, n));
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private scanner(options: Pick<ScanOptions, 'parse' | 'expected' | 'maxCount'>): PayloadScanner {
    return new PayloadScanner({ kind: this.kind, dev: this.header.dev, ...options });
  }

  private async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (let pos = this.payloadOffset; ;) {
      let n: number;
      try {
        n = (await this.handle.read(buf, 0, buf.length, pos)).bytesRead;
      } catch (err) {
        throw ioError(this.path, 'read', err);
      }
      if (n === 0) return;
      pos += n;
      yield buf.subarray(0, n); // reused: the scanner copies what it keeps
    }
  }
}
