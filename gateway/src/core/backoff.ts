/**
 * Reconnect delay: exponential from `minMs`, capped at `maxMs`, with "equal jitter" (a delay in
 * [d/2, d]) so gateways that lost the server at once do not return in lockstep. Pure: `random`
 * is injected. (Same rule as the terminal's; the terminal does not export its adapter.)
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exp = Math.min(options.maxMs, options.minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
