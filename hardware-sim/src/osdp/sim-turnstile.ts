/**
 * A simulated turnstile behind an OSDP PD: two directions (output 0 releases IN, output 1 releases
 * OUT), a passage sensor per direction (input 0, input 1) that "walks a person through" walkMs
 * after a release (or nobody, with probability 1 - passProbability), an LED, a buzzer and a text
 * line shown on the console. Input changes are reported on the next osdp_POLL (7.7).
 */
import { replies, type Reply, type SimCommand } from './pd-messages.js';
import type { SimDevice, SimTimers } from './sim-ports.js';

export interface SimTurnstileOptions {
  /** Chance that someone goes through after a release (0..1). */
  readonly passProbability?: number;
  /** From the release to the passage sensor. */
  readonly walkMs?: number;
  /** How long the passage sensor stays active. */
  readonly pulseMs?: number;
  readonly random?: () => number;
  readonly out?: (line: string) => void;
}

const COLORS = ['black', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white'];
const DIRECTIONS = ['IN', 'OUT'];
/** Pending input reports; bound: a report per sensor edge, 64 is minutes of traffic at one poll a second. Overflow drops the oldest (counted). */
const MAX_EVENTS = 64;

export class SimTurnstile implements SimDevice {
  readonly outputs = [false, false];
  readonly inputs = [false, false];
  readonly log: string[] = [];
  passages = 0;
  droppedEvents = 0;
  private readonly events: Reply[] = [];
  private readonly pending: (() => void)[][] = [[], []];

  constructor(
    private readonly timers: SimTimers,
    private readonly options: SimTurnstileOptions = {},
  ) {}

  capabilities(): readonly (readonly [number, number, number])[] {
    // Annex B: inputs (supervised no), outputs, LED, buzzer, one text line.
    return [[1, 1, 2], [2, 1, 2], [4, 1, 1], [5, 1, 1], [6, 1, 1]];
  }

  nextEvent(): Reply | undefined {
    return this.events.shift();
  }

  /** A card at the PD's own reader: reported as osdp_RAW on the next poll. */
  presentCard(bitCount: number, data: Buffer): void {
    this.queue(replies.raw(bitCount, data));
  }

  handle(command: SimCommand): Reply {
    switch (command.type) {
      case 'istat': return replies.istatr(this.inputs);
      case 'ostat': return replies.ostatr(this.outputs);
      case 'lstat': return replies.lstatr(false, false);
      case 'out':
        if (command.records.some((r) => r.output >= this.outputs.length || r.code > 6)) return replies.nak(0x09);
        command.records.forEach((r) => this.output(r.output, r.code, r.timerMs));
        return replies.ack();
      case 'led':
        for (const r of command.records) {
          const s = r.temp.code === 2 ? r.temp : r.perm;
          this.show(`LED ${COLORS[s.onColor] ?? s.onColor}${s.offMs > 0 ? ' blinking' : ''}${r.temp.code === 2 ? ` for ${r.temp.timerMs} ms` : ''}`);
        }
        return replies.ack();
      case 'buz':
        this.show(command.tone <= 1 ? 'BUZZER off' : `BUZZER ${command.count === 0 ? 'continuous' : `${command.count} x ${command.onMs} ms`}`);
        return replies.ack();
      case 'text':
        this.show(`TEXT "${command.text}"${command.seconds > 0 ? ` (${command.seconds} s)` : ''}`);
        return replies.ack();
      default:
        return replies.nak(0x03);
    }
  }

  private output(no: number, code: number, timerMs: number): void {
    this.cancel(no);
    if (code === 0) return;
    const on = code === 2 || code === 4 || code === 5;
    this.outputs[no] = on;
    if (code === 5 || code === 6) this.later(no, timerMs, () => (this.outputs[no] = !on));
    if (!on) return this.show(`turnstile ${DIRECTIONS[no]} locked`);
    this.show(`turnstile ${DIRECTIONS[no]} released${code === 5 ? ` for ${timerMs} ms` : ''}`);
    const walkMs = Math.min(this.options.walkMs ?? 700, code === 5 ? Math.max(0, timerMs - 100) : Number.MAX_SAFE_INTEGER);
    if ((this.options.random ?? Math.random)() >= (this.options.passProbability ?? 0.9)) return;
    this.later(no, walkMs, () => {
      this.passages += 1;
      this.outputs[no] = false; // one rotation, and the arm locks again
      this.setInput(no, true);
      this.show(`person passed ${DIRECTIONS[no]}`);
      this.timers.after(this.options.pulseMs ?? 300, () => this.setInput(no, false)); // the sensor, not the arm: never cancelled
    });
  }

  private setInput(no: number, active: boolean): void {
    this.inputs[no] = active;
    this.queue(replies.istatr(this.inputs));
  }

  private queue(reply: Reply): void {
    if (this.events.length >= MAX_EVENTS) {
      this.events.shift();
      this.droppedEvents += 1;
    }
    this.events.push(reply);
  }

  private later(no: number, ms: number, fn: () => void): void {
    const timers = this.pending[no]!;
    const cancel = this.timers.after(ms, () => {
      timers.splice(timers.indexOf(cancel), 1);
      fn();
    });
    timers.push(cancel);
  }

  private cancel(no: number): void {
    for (const cancel of this.pending[no]!.splice(0)) cancel();
  }

  private show(line: string): void {
    this.log.push(line);
    this.options.out?.(line);
  }
}
