/**
 * What the CLI touches outside itself, passed in so tests run the commands in-process against a
 * real server with captured output: the standard streams, the environment, the home folder,
 * fetch, a Ctrl-C signal and the timings of polling and progress.
 */
import { homedir } from 'node:os';

export interface CliTimings {
  /** Poll GET /api/imports/:id and redraw the progress line this often. */
  readonly pollMs: number;
  /** Stay quiet for jobs shorter than this (no progress line at all). */
  readonly progressDelayMs: number;
  /** `stoplist propagation --watch` refresh interval. */
  readonly watchMs: number;
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly fetch: typeof fetch;
  /** Aborted on Ctrl-C (SIGINT): long commands (watch, import) stop cleanly. */
  readonly signal: AbortSignal;
  readonly timings: CliTimings;
  readonly nowMs: () => number;
}

export const DEFAULT_TIMINGS: CliTimings = { pollMs: 1000, progressDelayMs: 1500, watchMs: 2000 };

/** The real process: used only by rescard.ts. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    homeDir: homedir(),
    fetch: globalThis.fetch.bind(globalThis),
    signal,
    timings: DEFAULT_TIMINGS,
    nowMs: () => Date.now(),
  };
}

/** Write and wait for the stream to take it (back-pressure for streamed output). */
export async function writeOut(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    stream.once('drain', onDrain);
    stream.once('error', done);
  });
}
