/**
 * Runs the CLI in-process (runCli) with captured stdout/stderr, a chosen environment and home
 * folder, real fetch, and fast timings. Not used by production code.
 */
import { PassThrough, Readable } from 'node:stream';
import { DEFAULT_TIMINGS, type CliIo, type CliTimings } from '../cli-io.js';
import { runCli } from '../program.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly homeDir: string;
  readonly stdin?: string;
  readonly stderrIsTTY?: boolean;
  readonly timings?: Partial<CliTimings>;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runRescard(argv: readonly string[], o: RunOptions): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const io: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([Buffer.from(o.stdin ?? '')]),
    stdinIsTTY: false,
    stderrIsTTY: o.stderrIsTTY ?? false,
    // Only what the test gives: never the developer's own RESCARD_* or XDG folders.
    env: { XDG_CONFIG_HOME: `${o.homeDir}/.config`, ...o.env },
    homeDir: o.homeDir,
    fetch: o.fetch ?? globalThis.fetch.bind(globalThis),
    signal: o.signal ?? new AbortController().signal,
    timings: { ...DEFAULT_TIMINGS, pollMs: 10, progressDelayMs: 0, watchMs: 20, ...o.timings },
    nowMs: () => Date.now(),
  };
  const code = await runCli(argv, io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}
