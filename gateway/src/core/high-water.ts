/**
 * The gateway's per-device high-water mark: every seq ≤ it is durable at the gateway (in the
 * outbox) or beyond (the server acknowledged it). This is the `committedUpTo` of the gateway's
 * acks to its terminals (protocol: "contiguous"). Pure.
 *
 * It starts at 0 for a device the gateway has never seen, and moves by two rules:
 * - `extendHighWater`: through the seqs held in the outbox that follow it without a hole;
 * - `max(h, upstream)`: the server's own contiguous mark for the device (from a gateway ack).
 * The second rule matters for a terminal that talked to the server directly before: its first
 * taps are not at the gateway, but the server's ack proves them durable, so the mark jumps.
 */

/** `h` moved up through `ascendingSeqs` (sorted, all > h, may hold holes or repeats). */
export function extendHighWater(h: number, ascendingSeqs: readonly number[]): number {
  let mark = h;
  for (const seq of ascendingSeqs) {
    if (seq <= mark) continue;
    if (seq !== mark + 1) break;
    mark = seq;
  }
  return mark;
}

/** The seqs of `seqs` a hop with mark `h` must still store (new, above the mark), deduplicated and sorted. */
export function seqsToStore(h: number, seqs: readonly number[]): number[] {
  return [...new Set(seqs.filter((s) => s > h))].sort((a, b) => a - b);
}
