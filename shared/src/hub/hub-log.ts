/**
 * The logger the hub pieces take: the part of pino's Logger they call (shared does not depend
 * on pino; a pino Logger, or a child of one, fits as it is).
 */
export interface HubLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
