/**
 * Clock: wall time, monotonic time and the boot identity. The core never reads a clock; the app
 * reads this port once per tap and passes the reading through the clock guard.
 */
export interface Clock {
  /** Wall-clock epoch ms (may jump: NTP, an unset RTC, a technician). */
  wallMs(): number;
  /** Monotonic ms since this process started; never goes back. */
  monoMs(): number;
  /** Changes whenever monotonic time restarts (a new process or boot). */
  readonly bootId: string;
}

/** Virtual time for tests: both clocks move only when told. */
export class FakeClock implements Clock {
  constructor(
    private wall: number,
    private mono = 0,
    readonly bootId = 'fake-boot',
  ) {}

  wallMs(): number {
    return this.wall;
  }

  monoMs(): number {
    return this.mono;
  }

  /** Time passes: both clocks advance. */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  /** Only the wall clock changes (NTP step, RTC fault). */
  setWall(wallMs: number): void {
    this.wall = wallMs;
  }
}
