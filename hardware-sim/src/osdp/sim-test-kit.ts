/** Test helpers for the simulated PD (tests only): an in-memory line and hand-cranked timers. */
import type { SimLine, SimTimers } from './sim-ports.js';
import { parsePacket, type Packet } from './pd-wire.js';

export class TestLine implements SimLine {
  readonly sent: Buffer[] = [];
  private listener: ((chunk: Buffer) => void) | undefined;

  write(bytes: Uint8Array): Promise<void> {
    this.sent.push(Buffer.from(bytes));
    return Promise.resolve();
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }

  /** Bytes from the CP side. */
  receive(bytes: Buffer | string): void {
    this.listener?.(typeof bytes === 'string' ? Buffer.from(bytes.replace(/\s+/g, ''), 'hex') : bytes);
  }

  lastReply(): Packet {
    const raw = this.sent.at(-1);
    const packet = raw === undefined ? undefined : parsePacket(raw);
    if (packet === undefined) throw new Error('no valid reply sent');
    return packet;
  }
}

export class ManualTimers implements SimTimers {
  now = 0;
  private timers: { at: number; fn: () => void }[] = [];

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.now + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.now = next.at;
      next.fn();
    }
    this.now = end;
  }
}
