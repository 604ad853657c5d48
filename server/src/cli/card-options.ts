/**
 * How a command names a card: exactly one of --pan (`-` reads it from stdin), --par or --token
 * (+ --kid). The PAN only ever goes into a request body; the CLI prints the masked PAN the
 * server answers with, never the argument.
 */
import type { Command } from 'commander';
import { usageError } from './cli-error.js';
import { readFirstLine } from './read-secret.js';

export interface CardOptions {
  readonly pan?: string;
  readonly par?: string;
  readonly token?: string;
  readonly kid?: string;
}

export type CardRef = { pan: string } | { par: string } | { token: string; kid?: string };

export function withCardOptions(cmd: Command): Command {
  return cmd
    .option('--pan <pan>', 'card number (tokenised by the server at once, never stored); "-" reads it from stdin')
    .option('--par <par>', 'Payment Account Reference (Mir Pay)')
    .option('--token <token>', 'card token (43 characters, from a report or a device)')
    .option('--kid <kid>', 'card-token key id of --token (default: the current key)');
}

export async function cardRef(o: CardOptions, stdin: NodeJS.ReadableStream): Promise<CardRef> {
  const named = [o.pan, o.par, o.token].filter((v) => v !== undefined).length;
  if (named !== 1) throw usageError('name the card by exactly one of --pan, --par or --token');
  if (o.kid !== undefined && o.token === undefined) throw usageError('--kid goes with --token');
  if (o.pan !== undefined) return { pan: o.pan === '-' ? await readFirstLine(stdin, 'PAN') : o.pan };
  if (o.par !== undefined) return { par: o.par };
  return o.kid === undefined ? { token: o.token ?? '' } : { token: o.token ?? '', kid: o.kid };
}
