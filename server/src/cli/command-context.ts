/**
 * What every command shares: the options each API command takes (`--server`, `--api-token` /
 * `--token`, `--json`), turning them into an ApiClient (credentials.ts decides the server and
 * token), and writing results (text or one JSON line on stdout).
 */
import { Option, type Command } from 'commander';
import { ApiClient } from './api-client.js';
import type { CliIo } from './cli-io.js';
import { credentialsPath, readCredentials, resolveConnection, type TokenSource } from './credentials.js';

export interface CommonOptions {
  readonly server?: string;
  readonly apiToken?: string;
  readonly json?: boolean;
}

export interface ConnectedClient {
  readonly api: ApiClient;
  readonly tokenSource: TokenSource;
}

/**
 * Adds --server, --api-token and --json; also --token as the API token unless the command uses
 * --token for a card (stoplist add/remove/why).
 */
export function withCommon(cmd: Command, o: { tokenFlag: boolean; json?: boolean } = { tokenFlag: true }): Command {
  cmd.option('--server <url>', 'server base URL (default: RESCARD_SERVER, then the last login)');
  cmd.addOption(new Option('--api-token <token>', 'API or session token (default: RESCARD_TOKEN, then the saved login)'));
  if (o.tokenFlag) cmd.addOption(new Option('--token <token>', 'same as --api-token').hideHelp());
  if (o.json !== false) cmd.option('--json', 'machine output: one JSON document on stdout');
  return cmd;
}

export class CommandContext {
  constructor(readonly io: CliIo) {}

  async connect(opts: CommonOptions & { token?: string }, tokenIsApiToken = true): Promise<ConnectedClient> {
    const path = credentialsPath(this.io.env, this.io.homeDir);
    const { file, looseMode } = await readCredentials(path);
    if (looseMode) this.warn(`warning: ${path} is readable by others: chmod 600 it`);
    const flagToken = opts.apiToken ?? (tokenIsApiToken ? opts.token : undefined);
    const conn = resolveConnection({ flagServer: opts.server, flagToken }, this.io.env, file);
    const api = new ApiClient({ server: conn.server, token: conn.token, fetch: this.io.fetch, signal: this.io.signal });
    return { api, tokenSource: conn.tokenSource };
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Text output, or the JSON of the same result with --json. */
  result(opts: CommonOptions, value: unknown, text: () => string): void {
    if (opts.json === true) this.json(value);
    else this.out(text());
  }

  warn(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
