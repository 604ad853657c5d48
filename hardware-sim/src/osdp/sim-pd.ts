/**
 * The protocol side of a simulated OSDP PD: packet framing, sequence numbers (5.9; a repeated
 * packet gets the last reply again, 5.4), the Secure Channel (Annex D) and injectable faults.
 * What the device does with a command is up to a SimDevice (see sim-turnstile.ts).
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_SCBK } from './pd-crypto.js';
import { decodeCommand, replies, type Reply, type SimCommand } from './pd-messages.js';
import { applyFaults, type SimFaults } from './pd-faults.js';
import { PdSecureChannel } from './pd-secure.js';
import type { SimDevice, SimLine, SimTimers } from './sim-ports.js';
import { packetHead, PacketReader, withCrc, type Packet } from './pd-wire.js';

export interface SimPdOptions {
  readonly address: number;
  /** The PD's SCBK; without it and without installMode the PD offers no Secure Channel. */
  readonly scbk?: Buffer;
  /** Factory state: accepts a handshake on SCBK-D (until a KEYSET). */
  readonly installMode?: boolean;
  readonly serial?: number;
  readonly random?: (bytes: number) => Buffer;
}

type Outgoing = { readonly reply: Reply; readonly scb?: readonly [number, number]; readonly plain?: boolean; readonly after?: () => void };

const nak = (reason: number): Outgoing => ({ reply: replies.nak(reason), plain: true });
const PLAIN_OK = new Set([0x61, 0x62, 0x76, 0x77]); // ID, CAP, CHLNG, SCRYPT (OSDP Verified 050-09-18)

export class SimPd {
  address: number;
  private scbk: Buffer | undefined;
  private installMode: boolean;
  private readonly reader = new PacketReader();
  private lastSqn = -1;
  private last: { command: Buffer; reply: Buffer } | undefined;
  private readonly secureChannel = new PdSecureChannel();
  private silent = false;
  private sent = 0;
  faults: SimFaults = {};
  readonly stats = { commands: 0, resent: 0, naks: 0, writeErrors: 0 };
  /** Observers: every command packet addressed to us, as it arrives (the bench uses it). */
  onCommand: ((packet: Packet) => void) | undefined;
  onKeyChange: ((scbk: Buffer) => void) | undefined;

  constructor(private readonly line: SimLine, private readonly timers: SimTimers, private readonly device: SimDevice, private readonly options: SimPdOptions) {
    this.address = options.address;
    this.scbk = options.scbk;
    this.installMode = options.installMode === true;
    line.onData((chunk) => this.reader.feed(chunk).forEach((p) => this.onPacket(p)));
  }

  get secure(): boolean {
    return this.secureChannel.active;
  }

  get macFailures(): number {
    return this.secureChannel.macFailures;
  }

  get badPackets(): number {
    return this.reader.badPackets;
  }

  /** Stop answering (a cut cable, a powered-off reader) until online() is called. */
  offline(): void {
    this.silent = true;
  }

  online(): void {
    this.silent = false;
  }

  private onPacket(p: Packet): void {
    if (p.reply || (p.address !== this.address && p.address !== 0x7f) || this.silent) return;
    this.onCommand?.(p);
    this.stats.commands += 1;
    if (p.sqn !== 0 && p.sqn === this.lastSqn && this.last?.command.equals(p.raw)) {
      this.stats.resent += 1; // 5.4: the CP did not get our reply; same packet, same answer
      this.transmit(this.last.reply);
      return;
    }
    if (p.sqn === 0) this.secureChannel.reset();
    const expected = this.lastSqn < 0 ? 0 : (this.lastSqn % 3) + 1;
    let out: Outgoing;
    if (p.sqn === 0 || p.sqn === expected) {
      out = this.process(p);
      this.lastSqn = p.sqn;
    } else {
      out = nak(0x04); // 5.9: out of sequence; the CP restarts with 0
    }
    if (out.reply.code === 0x41) this.stats.naks += 1;
    const bytes = this.encode(p.sqn, out);
    this.last = { command: p.raw, reply: bytes };
    this.transmit(bytes, out.scb === undefined && out.plain !== true && this.secureChannel.active);
    out.after?.();
  }

  private process(p: Packet): Outgoing {
    let data: Buffer = p.data;
    if (p.mac !== undefined) {
      const plain = this.secureChannel.open(p);
      if (plain === undefined) return nak(0x06); // Annex D: the session ends; answered in clear
      data = plain;
    } else if ((this.secureChannel.active || this.securityRequired) && !PLAIN_OK.has(p.code)) {
      return nak(0x06);
    }
    const command = decodeCommand(p.code, data);
    if (command === 'length') return nak(0x02);
    if (command === 'unknown') return nak(0x03);
    return this.execute(command, p);
  }

  private get securityRequired(): boolean {
    return this.scbk !== undefined || this.installMode;
  }

  private execute(command: SimCommand, p: Packet): Outgoing {
    switch (command.type) {
      case 'id': return { reply: replies.pdid(this.options.serial ?? 1) };
      case 'cap': return { reply: replies.pdcap([...this.device.capabilities(), [8, 1, 0], [9, this.securityRequired ? 1 : 0, 0], [10, 0xa0, 0x05], [16, 2, 0]]) };
      case 'poll': return { reply: this.device.nextEvent() ?? replies.ack() };
      case 'chlng': {
        const wantsDefault = p.scbData[0] === 0x00;
        if (!this.securityRequired) return nak(0x05);
        const key = wantsDefault ? (this.installMode ? DEFAULT_SCBK : undefined) : this.scbk;
        if (key === undefined) return nak(0x06);
        const rndB = (this.options.random ?? randomBytes)(8);
        return this.secureChannel.challenge(key, wantsDefault ? 0 : 1, command.rndA, rndB, this.options.serial ?? 1);
      }
      case 'scrypt':
        return this.secureChannel.confirm(command.cryptogram) ?? nak(0x06);
      case 'keyset': {
        if (!this.secureChannel.active || command.keyType !== 1) return nak(0x06);
        return { reply: replies.ack(), after: () => this.changeKey(command.key) };
      }
      case 'comset':
        return { reply: replies.com(command.address, command.baud), after: () => void (this.address = command.address) };
      default:
        return { reply: this.device.handle(command) };
    }
  }

  private changeKey(key: Buffer): void {
    this.scbk = key;
    this.installMode = false;
    this.secureChannel.reset(); // 6.16: the new key holds from the next session
    this.onKeyChange?.(key);
  }

  private encode(sqn: number, out: Outgoing): Buffer {
    const base = { address: this.address, sqn };
    if (out.scb === undefined && out.plain !== true && this.secureChannel.active) return this.secureChannel.seal(base, out.reply);
    const scb = out.scb === undefined ? {} : { scbType: out.scb[0], scbData: Buffer.from([out.scb[1]]) };
    return withCrc(packetHead({ ...base, reply: true, code: out.reply.code, data: out.reply.data, ...scb }));
  }

  private transmit(bytes: Buffer, sealed = false): void {
    this.sent += 1;
    const { wire, faults } = applyFaults(bytes, sealed, this.sent, this.faults);
    this.faults = faults;
    const send = (): void => {
      // A closed or failing line: counted; the CP sees a timeout, as with a cut cable.
      this.line.write(wire).catch(() => (this.stats.writeErrors += 1));
    };
    if (faults.slowMs !== undefined && faults.slowMs > 0) this.timers.after(faults.slowMs, send);
    else send();
  }
}
