/** The simulated PD's protocol behaviour, driven with hand-made packets (Annex E bytes where published). */
import { describe, expect, it } from 'vitest';
import { packetHead, withCrc } from './pd-wire.js';
import { SimPd } from './sim-pd.js';
import { SimTurnstile } from './sim-turnstile.js';
import { ManualTimers, TestLine } from './sim-test-kit.js';

const ID_SQN0 = '53000900046100C066'; // SIA OSDP 2.2 Annex E, CRC example 2
const plain = (sqn: number, code: number, data: number[] = []): Buffer => withCrc(packetHead({ address: 0, reply: false, sqn, code, data: Buffer.from(data) }));

function pd(options: { scbk?: Buffer; installMode?: boolean; passProbability?: number } = {}) {
  const line = new TestLine();
  const timers = new ManualTimers();
  const turnstile = new SimTurnstile(timers, { passProbability: options.passProbability ?? 1, walkMs: 500, pulseMs: 200 });
  const { passProbability: _p, ...keys } = options;
  const sim = new SimPd(line, timers, turnstile, { address: 0, serial: 7, ...keys });
  return { line, timers, turnstile, sim };
}

describe('SimPd', () => {
  it('answers osdp_ID (Annex E packet) with osdp_PDID, reply flag set, same sequence number', () => {
    const { line } = pd();
    line.receive(ID_SQN0);
    expect(line.lastReply()).toMatchObject({ address: 0, reply: true, sqn: 0, code: 0x45 });
    expect(line.lastReply().data.readUInt32LE(5)).toBe(7);
  });

  it('resends the last reply for a repeated packet (5.4) and NAKs a sequence jump (5.9)', () => {
    const { line, sim } = pd();
    line.receive(ID_SQN0);
    line.receive(plain(1, 0x60));
    line.receive(plain(1, 0x60));
    expect(sim.stats.resent).toBe(1);
    expect(line.sent[2]).toEqual(line.sent[1]);
    line.receive(plain(3, 0x60));
    expect(line.lastReply()).toMatchObject({ code: 0x41, data: Buffer.from([0x04]) });
  });

  it('a secure PD refuses plain commands other than ID, CAP, CHLNG, SCRYPT (NAK 6)', () => {
    const { line } = pd({ scbk: Buffer.alloc(16, 1) });
    line.receive(ID_SQN0);
    line.receive(plain(1, 0x68, [0, 5, 30, 0]));
    expect(line.lastReply()).toMatchObject({ code: 0x41, data: Buffer.from([0x06]) });
  });

  it('refuses the default key unless in install mode', () => {
    const chlng = (sqn: number): Buffer => withCrc(packetHead({ address: 0, reply: false, sqn, code: 0x76, data: Buffer.alloc(8, 0xb0), scbType: 0x11, scbData: Buffer.from([0]) }));
    const secure = pd({ scbk: Buffer.alloc(16, 1) });
    secure.line.receive(chlng(0));
    expect(secure.line.lastReply()).toMatchObject({ code: 0x41, data: Buffer.from([0x06]) });
    const factory = pd({ installMode: true });
    factory.line.receive(chlng(0));
    expect(factory.line.lastReply()).toMatchObject({ code: 0x76, scbType: 0x12, scbData: Buffer.from([0]) });
  });

  it('turnstile: a release lets a person through and reports the sensor on the next polls', () => {
    const { line, timers, turnstile } = pd();
    line.receive(ID_SQN0);
    line.receive(plain(1, 0x68, [0, 5, 30, 0])); // output 0 on for 3 s
    expect(line.lastReply().code).toBe(0x40);
    timers.advance(500);
    line.receive(plain(2, 0x60));
    expect(line.lastReply()).toMatchObject({ code: 0x49, data: Buffer.from([1, 0]) });
    timers.advance(200);
    line.receive(plain(3, 0x60));
    expect(line.lastReply()).toMatchObject({ code: 0x49, data: Buffer.from([0, 0]) });
    line.receive(plain(1, 0x60));
    expect(line.lastReply().code).toBe(0x40);
    expect(turnstile.log).toEqual(['turnstile IN released for 3000 ms', 'person passed IN']);
  });

  it('turnstile: nobody passes when the dice say so, and the output times out', () => {
    const { line, timers, turnstile } = pd({ passProbability: 0 });
    line.receive(ID_SQN0);
    line.receive(plain(1, 0x68, [1, 5, 10, 0])); // output 1 (OUT) on for 1 s
    expect(turnstile.outputs).toEqual([false, true]);
    timers.advance(1000);
    expect(turnstile.outputs).toEqual([false, false]);
    expect(turnstile.passages).toBe(0);
  });
});
