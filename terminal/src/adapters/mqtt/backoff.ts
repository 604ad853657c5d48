/**
 * Reconnect delay: exponential from `minMs`, capped at `maxMs`, with "equal jitter" — a delay
 * in [d/2, d] — so a fleet that lost its broker at once does not come back in lockstep, while
 * each device still waits at least half the nominal delay. Pure: `random` is injected.
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exp = Math.min(options.maxMs, options.minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
