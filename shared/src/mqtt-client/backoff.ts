/**
 * Reconnect delay: exponential from `minMs`, capped at `maxMs`, with "equal jitter" — a delay in
 * [d/2, d] — so a fleet (terminals, gateways) that lost its broker at once does not come back in
 * lockstep, while each device still waits at least half the nominal delay. Pure: `random` (a
 * value in [0, 1)) is injected.
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The nominal delay d of attempt `attempt` (0-based), before jitter. */
export function nominalDelayMs(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.minMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exp = nominalDelayMs(attempt, options);
  return Math.round(exp / 2 + random() * (exp / 2));
}
