/** `rescard-terminal read`: one JSON line on stdout, or an error with a code and a non-zero exit. */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TokenKeyring } from '@rescard/shared';
import type { Logger } from 'pino';
import { PcscCardReader } from '../adapters/pcsc/pcsc-card-reader.js';
import { readOnce } from '../app/read-once.js';
import type { CardRead } from '../emv/card-read.js';

export interface ReadCommandOptions {
  readonly readerName?: string;
  readonly waitMs: number;
  readonly readTimeoutMs: number;
  readonly keyring: TokenKeyring;
  readonly log: Logger;
}

/** The read's JSON line, fields in the documented order; parToken only when the card has a PAR. */
export function formatRead(read: CardRead): string {
  return JSON.stringify({
    scheme: read.scheme,
    aid: read.aid,
    label: read.label,
    panMasked: read.panMasked,
    expiry: read.expiry,
    psn: read.psn,
    token: read.token,
    kid: read.kid,
    ...(read.parToken ? { parToken: read.parToken } : {}),
    readMs: read.readMs,
  });
}

export async function runRead(options: ReadCommandOptions): Promise<CardRead> {
  const reader = new PcscCardReader({ log: options.log, ...(options.readerName ? { readerName: options.readerName } : {}) });
  return readOnce({
    reader,
    waitMs: options.waitMs,
    readTimeoutMs: options.readTimeoutMs,
    keyring: options.keyring,
    now: () => new Date(),
    monoMs: () => performance.now(),
    random: (n) => randomBytes(n),
    log: options.log,
    ...(options.readerName ? { readerName: options.readerName } : {}),
  });
}
