/**
 * Secrets the CLI reads rather than takes on the command line: the login password (on a TTY
 * without echo, or the first line of stdin with --password-stdin) and a PAN given as `--pan -`
 * (first line of stdin: keeps it out of the shell history and the process list).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError, EXIT, usageError } from './cli-error.js';

const MAX_LINE_BYTES = 4096;

/** Ask on the terminal; what is typed is not echoed. Ctrl-C rejects. */
export async function promptHidden(prompt: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<string> {
  output.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('SIGINT', () => reject(new CliError('CONFIG_INVALID', 'interrupted', EXIT.failure)));
      rl.once('close', () => reject(usageError('no password entered')));
    });
  } finally {
    output.write('\n');
    rl.close();
  }
}

/** The first line of a stream (without its line end), at most 4 KiB. */
export async function readFirstLine(input: NodeJS.ReadableStream, what: string): Promise<string> {
  let text = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      text = text.slice(0, nl);
      break;
    }
    if (text.length > MAX_LINE_BYTES) throw usageError(`${what} on stdin is longer than ${MAX_LINE_BYTES} bytes`);
  }
  const line = text.replace(/\r$/, '');
  if (line === '') throw usageError(`no ${what} on stdin`);
  return line;
}
