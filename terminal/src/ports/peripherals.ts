/**
 * Peripherals: what the terminal drives besides the card reader: indicator (LED), buzzer, text
 * display and, at a gate, the turnstile. Adapters: OsdpPeripherals (OSDP over RS-485). The app
 * calls indicate() for every decision and release() on ALLOW at a gate; only a 'passed' result
 * counts for anti-passback and attendance.
 */
import type { Direction, Outcome } from '../core/model.js';

export interface PeripheralFeedback {
  readonly outcome: Outcome;
  /** Short screen text (Russian); adapters may transliterate for ASCII-only displays. */
  readonly text: string;
  readonly direction?: Direction;
}

export type PassageResult = 'passed' | 'not-passed';

export interface PeripheralDeviceStatus {
  readonly name: string;
  readonly online: boolean;
  /** Traffic runs under the OSDP Secure Channel. */
  readonly secure: boolean;
  /** Monotonic ms of the last change of online. */
  readonly sinceMonoMs: number;
  readonly lastError?: string;
}

export interface PeripheralStatus {
  /** Every device is online: when false, the heartbeat raises an alarm. */
  readonly allOnline: boolean;
  readonly devices: readonly PeripheralDeviceStatus[];
}

export interface Peripherals {
  /** Light, sound and text for a decision. Never throws for an offline device (see status()). */
  indicate(feedback: PeripheralFeedback): Promise<void>;
  /**
   * Unlock one passage direction for up to ms. Resolves 'passed' when the passage sensor confirms
   * someone went through within that time, else 'not-passed' (also when the turnstile could not
   * be reached: nobody passed; status() and the log say why).
   */
  release(direction: Direction, ms: number): Promise<PassageResult>;
  status(): PeripheralStatus;
  /** Called on every status change (online/offline); returns an unsubscribe. */
  onStatus(listener: (status: PeripheralStatus) => void): () => void;
}

/** In-memory peripherals for tests: records what was shown; passage results are scripted. */
export class FakePeripherals implements Peripherals {
  readonly indications: PeripheralFeedback[] = [];
  readonly releases: { direction: Direction; ms: number }[] = [];
  /** Results for the next release() calls, in order; 'passed' when empty. */
  readonly passages: PassageResult[] = [];
  private online = true;
  private readonly listeners = new Set<(status: PeripheralStatus) => void>();

  indicate(feedback: PeripheralFeedback): Promise<void> {
    this.indications.push(feedback);
    return Promise.resolve();
  }

  release(direction: Direction, ms: number): Promise<PassageResult> {
    this.releases.push({ direction, ms });
    if (!this.online) return Promise.resolve('not-passed');
    return Promise.resolve(this.passages.shift() ?? 'passed');
  }

  setOnline(online: boolean): void {
    this.online = online;
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  status(): PeripheralStatus {
    return { allOnline: this.online, devices: [{ name: 'fake', online: this.online, secure: true, sinceMonoMs: 0 }] };
  }

  onStatus(listener: (status: PeripheralStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
