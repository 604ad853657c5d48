/** Faults the simulated PD can put on its replies (a dev device must misbehave on demand). */
import { withCrc } from './pd-wire.js';

export interface SimFaults {
  /** Every Nth reply leaves with a broken CRC (the CP retries; the retry gets a good copy). */
  crcEvery?: number;
  /** Every reply is delayed this long (over 200 ms, the CP's timeout, means retries). */
  slowMs?: number;
  /** Every Nth sealed reply leaves with a wrong MAC (the CP must drop the session). */
  macEvery?: number;
  /** The next sealed reply only leaves with a wrong MAC (consumed once). */
  macOnce?: boolean;
}

/** The bytes to put on the line for reply number n (1-based), and the faults left after it. */
export function applyFaults(bytes: Buffer, sealed: boolean, n: number, faults: SimFaults): { wire: Buffer; faults: SimFaults } {
  const { crcEvery, macEvery, macOnce } = faults;
  if (sealed && (macOnce === true || (macEvery !== undefined && n % macEvery === 0))) {
    return { wire: withCrc(flip(bytes.subarray(0, -2), bytes.length - 3)), faults: { ...faults, macOnce: false } };
  }
  if (crcEvery !== undefined && n % crcEvery === 0) return { wire: flip(bytes, bytes.length - 1), faults };
  return { wire: bytes, faults };
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
}
