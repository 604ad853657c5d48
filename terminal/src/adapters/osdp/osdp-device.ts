/**
 * One PD as the terminal sees it: led(color, pattern), buzz(pattern), text(line),
 * output(no, on, ms), inputs(). Each call is one command through the control panel's queue;
 * it rejects with OSDP_PD_OFFLINE / OSDP_NAK / OSDP_SC_FAILED when it did not take effect.
 */
import { LED_COLOR, OUTPUT_CONTROL, OsdpError, type LedColor, type OsdpReply } from '../../protocol/osdp/index.js';
import type { OsdpControlPanel } from './osdp-control-panel.js';

export type LedPattern =
  | { readonly kind: 'steady' }
  | { readonly kind: 'off' }
  | { readonly kind: 'blink'; readonly onMs: number; readonly offMs: number };

export interface BuzzPattern {
  readonly onMs: number;
  readonly offMs: number;
  /** 0 = until told otherwise (6.11). */
  readonly count: number;
}

export const BUZZ = {
  ok: { onMs: 200, offMs: 0, count: 1 },
  error: { onMs: 100, offMs: 100, count: 3 },
} as const satisfies Record<string, BuzzPattern>;

export interface LedOptions {
  /** Show for this long, then return to the permanent state (6.10 temporary); else permanent. */
  readonly durationMs?: number;
  readonly reader?: number;
  readonly led?: number;
}

export class OsdpDevice {
  constructor(
    private readonly cp: OsdpControlPanel,
    readonly address: number,
  ) {}

  get online(): boolean {
    return this.cp.state(this.address).online;
  }

  /** The input states as last reported (osdp_ISTATR), without asking the PD. */
  get lastInputs(): readonly boolean[] {
    return this.cp.state(this.address).inputs;
  }

  async led(color: LedColor, pattern: LedPattern = { kind: 'steady' }, options: LedOptions = {}): Promise<void> {
    const on = pattern.kind === 'off' ? LED_COLOR.black : LED_COLOR[color];
    const [onMs, offMs] = pattern.kind === 'blink' ? [pattern.onMs, pattern.offMs] : [100, 0];
    const state = { onMs, offMs, onColor: on, offColor: pattern.kind === 'blink' ? LED_COLOR.black : on };
    const nop = { control: 0, onMs: 0, offMs: 0, onColor: 0, offColor: 0 };
    const permanent = options.durationMs === undefined;
    const led = {
      reader: options.reader ?? 0,
      led: options.led ?? 0,
      temporary: permanent ? { ...nop, timerMs: 0 } : { control: 2, ...state, timerMs: options.durationMs ?? 0 },
      permanent: permanent ? { control: 1, ...state } : nop,
    };
    expectAck(await this.cp.send(this.address, { kind: 'led', leds: [led] }));
  }

  async buzz(pattern: BuzzPattern, reader = 0): Promise<void> {
    expectAck(await this.cp.send(this.address, { kind: 'buz', reader, tone: 2, ...pattern }));
  }

  /** One line of printable ASCII (6.12), shown for tempSeconds (0 = permanently). */
  async text(line: string, options: { row?: number; tempSeconds?: number; reader?: number } = {}): Promise<void> {
    const temp = options.tempSeconds ?? 0;
    const command = { kind: 'text', reader: options.reader ?? 0, command: temp > 0 ? 3 : 1, tempSeconds: temp, row: options.row ?? 0, column: 0, text: line } as const;
    expectAck(await this.cp.send(this.address, command));
  }

  /** Output no (0 = first): on for ms then back off (6.9 temporary), or permanently on/off. */
  async output(no: number, on: boolean, ms?: number, options: { urgent?: boolean } = {}): Promise<void> {
    const control = ms === undefined ? (on ? OUTPUT_CONTROL.PERMANENT_ON_ABORT_TIMED : OUTPUT_CONTROL.PERMANENT_OFF_ABORT_TIMED) : on ? OUTPUT_CONTROL.TEMPORARY_ON : OUTPUT_CONTROL.TEMPORARY_OFF;
    expectAck(await this.cp.send(this.address, { kind: 'out', outputs: [{ output: no, control, timerMs: ms ?? 0 }] }, options));
  }

  /** Ask the PD for its inputs now (osdp_ISTAT, 6.6). */
  async inputs(): Promise<readonly boolean[]> {
    const reply = await this.cp.send(this.address, { kind: 'istat' });
    if (reply.kind !== 'istatr') throw new OsdpError('OSDP_MESSAGE_INVALID', `osdp_ISTAT answered with ${reply.kind}`);
    return reply.inputs;
  }

}

/** 6.9: a PD may answer osdp_OUT with osdp_OSTATR instead of osdp_ACK; both mean done. */
function expectAck(reply: OsdpReply): void {
  if (reply.kind !== 'ack' && reply.kind !== 'ostatr') throw new OsdpError('OSDP_MESSAGE_INVALID', `expected osdp_ACK, got ${reply.kind}`);
}
