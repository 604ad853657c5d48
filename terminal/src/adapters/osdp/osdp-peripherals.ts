/**
 * Peripherals over OSDP: one PD gives the LED, buzzer and text display, and, at a gate, the
 * turnstile. Default mapping (configurable; 0 = the PD's first output/input):
 *   release IN  = output 0, release OUT = output 1;
 *   passage sensor IN = input 0, passage sensor OUT = input 1.
 * release() pulses the direction's output (urgent: ahead of queued LED/text commands) and waits
 * for the passage sensor to go active; then locks the output again (one person per release).
 */
import type { Logger } from 'pino';
import type { Direction } from '../../core/model.js';
import { OsdpError } from '../../protocol/osdp/index.js';
import type { PassageResult, PeripheralFeedback, PeripheralStatus, Peripherals } from '../../ports/peripherals.js';
import { BUZZ } from './osdp-device.js';
import type { OsdpControlPanel } from './osdp-control-panel.js';
import type { Scheduler } from './scheduler.js';
import { toDisplayAscii } from './translit.js';

export interface TurnstileMapping {
  readonly releaseOutput: Readonly<Record<Direction, number>>;
  readonly passageInput: Readonly<Record<Direction, number>>;
  /** Added to the release time: the poll period and a reply must fit in it. */
  readonly graceMs: number;
}

export const DEFAULT_TURNSTILE: TurnstileMapping = { releaseOutput: { IN: 0, OUT: 1 }, passageInput: { IN: 0, OUT: 1 }, graceMs: 400 };

export interface OsdpPeripheralsOptions {
  readonly address: number;
  /** Present at a gate; absent for canteen and bus (indicator only). */
  readonly turnstile?: TurnstileMapping;
  /** How long the green/red LED and the text stay (ms). */
  readonly indicateMs?: number;
  readonly maxTextChars?: number;
}

export class OsdpPeripherals implements Peripherals {
  private lastError: string | undefined;
  private readonly log: Logger;

  constructor(
    private readonly cp: OsdpControlPanel,
    private readonly scheduler: Scheduler,
    log: Logger,
    private readonly options: OsdpPeripheralsOptions,
  ) {
    this.log = log.child({ module: 'osdp-peripherals', address: options.address });
  }

  private get device(): ReturnType<OsdpControlPanel['device']> {
    return this.cp.device(this.options.address);
  }

  async indicate(feedback: PeripheralFeedback): Promise<void> {
    const allow = feedback.outcome === 'ALLOW';
    const ms = this.options.indicateMs ?? 3000;
    const text = toDisplayAscii(feedback.text, this.options.maxTextChars ?? 32);
    // Queued together, in this order; an offline PD refuses all three at once.
    const results = await Promise.allSettled([
      this.device.led(allow ? 'green' : 'red', { kind: 'steady' }, { durationMs: ms }),
      this.device.buzz(allow ? BUZZ.ok : BUZZ.error),
      this.device.text(text, { tempSeconds: Math.max(1, Math.round(ms / 1000)) }),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) this.fail('indicate', failed.reason);
  }

  release(direction: Direction, ms: number): Promise<PassageResult> {
    const turnstile = this.options.turnstile;
    if (turnstile === undefined) return Promise.reject(new OsdpError('OSDP_MESSAGE_INVALID', 'release() on a device configured without a turnstile'));
    const output = turnstile.releaseOutput[direction];
    const input = turnstile.passageInput[direction];
    return new Promise<PassageResult>((resolve) => {
      let settled = false;
      let cancelTimer = (): void => undefined;
      const finish = (result: PassageResult): void => {
        if (settled) return;
        settled = true;
        stopListening();
        cancelTimer();
        this.log.info({ direction, result }, 'turnstile release finished');
        if (result === 'passed') this.device.output(output, false).catch((err: unknown) => this.fail('relock', err));
        resolve(result);
      };
      const stopListening = this.cp.events.on('input', (e) => {
        if (e.address === this.options.address && e.input === input && e.active) finish('passed');
      });
      this.device.output(output, true, ms, { urgent: true }).then(
        () => {
          if (!settled) cancelTimer = this.scheduler.after(ms + turnstile.graceMs, () => finish('not-passed'));
        },
        (err: unknown) => {
          this.fail('release', err);
          finish('not-passed');
        },
      );
    });
  }

  status(): PeripheralStatus {
    const s = this.cp.state(this.options.address);
    const lastError = s.lastError ?? this.lastError;
    const device = { name: s.name, online: s.online, secure: s.secure, sinceMonoMs: s.sinceMonoMs, ...(lastError === undefined ? {} : { lastError }) };
    return { allOnline: s.online, devices: [device] };
  }

  onStatus(listener: (status: PeripheralStatus) => void): () => void {
    const notify = (e: { address: number }): void => {
      if (e.address === this.options.address) listener(this.status());
    };
    const offs = [this.cp.events.on('online', notify), this.cp.events.on('offline', notify)];
    return () => offs.forEach((off) => off());
  }

  private fail(what: string, err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.log.warn({ err, what }, 'osdp peripheral command failed');
  }
}
