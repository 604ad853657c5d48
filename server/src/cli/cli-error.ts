/**
 * The CLI's one failure type: an error code (from the API's `{error:{code,message}}` body, or
 * the catalogue in shared/src/errors.ts for what the CLI finds itself), a message, and the exit
 * code it maps to:
 *
 *   0 success · 1 any other failure · 2 usage (bad options, missing file) · 3 auth (HTTP 401/403)
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    /** The API's `error.details` (e.g. an import's line-numbered errors), PAN-free. */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** The HTTP status when the error came from the API. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError('CONFIG_INVALID', message, EXIT.usage);

/** The exit code for an API answer with this HTTP status. */
export function exitForStatus(status: number): ExitCode {
  return status === 401 || status === 403 ? EXIT.auth : EXIT.failure;
}
