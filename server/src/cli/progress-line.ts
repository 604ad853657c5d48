/**
 * A progress line on stderr (never stdout, which carries results). Quiet for short jobs: nothing
 * before `delayMs`. On a terminal one line is redrawn in place; elsewhere (a log file, CI) a new
 * line is written only when the text changes.
 */
export class ProgressLine {
  private last = '';
  private drawn = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly isTTY: boolean,
    private readonly startedMs: number,
    private readonly delayMs: number,
  ) {}

  update(text: string, nowMs: number): void {
    if (nowMs - this.startedMs < this.delayMs || text === this.last) return;
    this.last = text;
    this.drawn = true;
    this.stderr.write(this.isTTY ? `\r${text}\x1b[K` : `${text}\n`);
  }

  /** Ends the redrawn line so later output starts on a fresh one. */
  done(): void {
    if (this.drawn && this.isTTY) this.stderr.write('\n');
    this.drawn = false;
  }
}
