/**
 * How a long-running program (rescard-server, rescard-gateway) ends, the part their main.ts
 * files share:
 * - on a failure: the error logged, one JSON line `{"error":{"code","message"}}` on stdout
 *   (where scripts and tests read the ports line), `program: CODE: message` on stderr, exit 2
 *   for CONFIG_INVALID (the operator's to fix) and 1 for anything else;
 * - on SIGTERM / SIGINT: stopped once, the log flushed, exit 0.
 */
import { RescardError, type ErrorCode } from '../errors.js';

export interface ProgramLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  flush(): void;
}

export interface Failure {
  readonly error: RescardError;
  readonly stdoutLine: string;
  readonly stderrLine: string;
  readonly exitCode: 1 | 2;
}

/** What a failure prints and its exit code; a foreign error becomes `fallbackCode` with its message. */
export function describeFailure(program: string, fallbackCode: ErrorCode, err: unknown): Failure {
  const error = err instanceof RescardError ? err : new RescardError(fallbackCode, err instanceof Error ? err.message : String(err));
  return {
    error,
    stdoutLine: `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`,
    stderrLine: `${program}: ${error.code}: ${error.message}\n`,
    exitCode: error.code === 'CONFIG_INVALID' ? 2 : 1,
  };
}

/** Log the failure, print it (describeFailure) and exit. */
export function exitOnFailure(program: string, fallbackCode: ErrorCode, err: unknown, log: ProgramLog): never {
  const f = describeFailure(program, fallbackCode, err);
  log.error({ code: f.error.code, details: f.error.details }, f.error.message);
  process.stdout.write(f.stdoutLine);
  process.stderr.write(f.stderrLine);
  process.exit(f.exitCode);
}

export interface StopOnSignalsOptions {
  readonly log: ProgramLog;
  readonly stop: () => Promise<void>;
  /** A failed stop (it usually exits: exitOnFailure). */
  readonly onFailure: (err: unknown) => void;
  /** The process's own unless given (tests). */
  readonly once?: (signal: NodeJS.Signals, listener: () => void) => void;
  readonly exit?: (code: number) => void;
}

/** On SIGTERM or SIGINT (each heard once; `stop` is expected to be idempotent): log it, stop, flush the log, exit 0. */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const { log, stop, onFailure } = options;
  const once = options.once ?? ((signal, listener) => {
    process.once(signal, listener);
  });
  const exit = options.exit ?? ((code) => process.exit(code));
  const shutdown = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'stopping');
    stop().then(
      () => {
        log.flush();
        exit(0);
      },
      onFailure,
    );
  };
  once('SIGTERM', () => shutdown('SIGTERM'));
  once('SIGINT', () => shutdown('SIGINT'));
}
