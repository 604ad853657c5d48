import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../ports/clock.js';

/** The process's clocks: Date.now() and performance.now(); a new boot id per process start. */
export class SystemClock implements Clock {
  readonly bootId = randomUUID();

  wallMs(): number {
    return Date.now();
  }

  monoMs(): number {
    return performance.now();
  }
}
