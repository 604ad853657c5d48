/**
 * A report as a Node Readable: rows are pulled from the report's iterator (better-sqlite3
 * `.iterate()` underneath) only when the consumer asks for more, encoded, and pushed in chunks
 * of about CHUNK_CHARS. Nothing holds the whole report: the bound is one chunk plus the
 * stream's highWaterMark (the HTTP socket applies back-pressure through it).
 *
 * `rowsRead` says how many rows have been pulled so far (for progress and the streaming test).
 * `release` runs exactly once, at the end, on an error or when the consumer goes away (the
 * iterator is returned first, so the statement is reset before the connection closes).
 */
import { Readable } from 'node:stream';
import { encoder, type Column, type Format } from './report-format.js';

const CHUNK_CHARS = 64 * 1024;

export class ReportStream<R> extends Readable {
  rowsRead = 0;
  private readonly it: Iterator<R>;
  private readonly enc;
  private started = false;
  private finished = false;
  private released = false;

  constructor(
    rows: Iterable<R>,
    columns: readonly Column<R>[],
    format: Format,
    private readonly release: () => void = () => undefined,
  ) {
    super({ highWaterMark: CHUNK_CHARS });
    this.it = rows[Symbol.iterator]();
    this.enc = encoder(format, columns);
  }

  override _read(): void {
    try {
      let more = true;
      while (more && !this.finished) {
        let text = '';
        if (!this.started) {
          this.started = true;
          text += this.enc.head();
        }
        while (text.length < CHUNK_CHARS) {
          const next = this.it.next();
          if (next.done === true) {
            this.finished = true;
            text += this.enc.tail();
            break;
          }
          this.rowsRead += 1;
          text += this.enc.row(next.value);
        }
        if (text.length > 0) more = this.push(text, 'utf8');
      }
      if (this.finished) {
        this.releaseOnce();
        this.push(null);
      }
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    try {
      if (!this.finished) this.it.return?.();
      this.releaseOnce();
      cb(err);
    } catch (e) {
      cb(err ?? (e instanceof Error ? e : new Error(String(e))));
    }
  }

  private releaseOnce(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }
}
