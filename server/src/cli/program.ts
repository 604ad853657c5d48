/**
 * The `rescard` program (commander) and `runCli(argv, io) → exit code`, which the entry point
 * (rescard.ts) and the tests call. Errors: `rescard: CODE: message` on stderr (and, with --json,
 * `{"error":{code,message,details}}` on stdout); exit 0 ok, 1 failure, 2 usage, 3 auth (401/403),
 * 130 after Ctrl-C. Text about failures passes through redactCardNumbers.
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { CommandContext } from './command-context.js';
import { registerCa } from './ca-command.js';
import { registerDevices } from './devices-command.js';
import { formatImportErrors } from './format-import.js';
import { registerImport } from './import-command.js';
import { registerLogin } from './login-command.js';
import { redactCardNumbers } from './redact.js';
import { registerReport } from './report-command.js';
import { registerStoplist } from './stoplist-command.js';

export const CLI_VERSION = '0.1.0';

export function buildProgram(io: CliIo): Command {
  const ctx = new CommandContext(io);
  const program = new Command('rescard')
    .description('rescard admin CLI: imports, stop-list, reports, devices and enrolment, against the server API')
    .version(CLI_VERSION)
    // Root options only before the command: `stoplist propagation --version N` is the list's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(redactCardNumbers(s)),
    })
    .showHelpAfterError('(add --help for usage)');
  registerLogin(program, ctx);
  registerImport(program, ctx);
  registerStoplist(program, ctx);
  registerReport(program, ctx);
  registerDevices(program, ctx);
  registerCa(program, ctx);
  return program;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message (help, version, or a usage error).
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (io.signal.aborted) {
      io.stderr.write('rescard: interrupted\n');
      return 130;
    }
    const e = err instanceof CliError ? err : new CliError('INTERNAL', err instanceof Error ? err.message : String(err), EXIT.failure);
    const message = redactCardNumbers(e.message);
    io.stderr.write(`rescard: ${e.code}: ${message}\n`);
    if (e.code === 'IMPORT_INVALID') io.stderr.write(redactCardNumbers(formatImportErrors(e.details)));
    if (e.exitCode === EXIT.auth) io.stderr.write(`rescard: ${e.status === 403 ? 'this account may not do that' : 'sign in with: rescard login --server URL --user NAME (or pass --api-token / RESCARD_TOKEN)'}\n`);
    if (argv.includes('--json')) {
      const details = Object.keys(e.details).length > 0 ? { details: JSON.parse(redactCardNumbers(JSON.stringify(e.details))) as unknown } : {};
      io.stdout.write(`${JSON.stringify({ error: { code: e.code, message, ...details } })}\n`);
    }
    return e.exitCode;
  }
}
