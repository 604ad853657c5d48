/**
 * Test rig (tests only): a control panel and the simulated turnstile PD from hardware-sim on an
 * in-memory line, all on virtual time (FakeClock + FakeScheduler). Nothing here sleeps.
 */
import { pino } from 'pino';
import { SimPd, SimTurnstile, type SimTurnstileOptions } from '@rescard/hardware-sim';
import { FakeByteStream } from '../../ports/byte-stream.js';
import { FakeClock } from '../../ports/clock.js';
import { OsdpControlPanel } from './osdp-control-panel.js';
import type { ControlPanelOptions, PdOptions } from './cp-options.js';
import type { ControlPanelEvents } from './cp-state.js';
import { DEFAULT_TURNSTILE, OsdpPeripherals } from './osdp-peripherals.js';
import { FakeScheduler } from './scheduler.js';

export const SITE_KEY = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');

export interface RigOptions {
  readonly pd?: Partial<PdOptions>;
  readonly cp?: Omit<Partial<ControlPanelOptions>, 'pds'>;
  readonly sim?: { scbk?: Buffer; installMode?: boolean };
  readonly turnstile?: SimTurnstileOptions;
}

export type Recorded = { [K in keyof ControlPanelEvents]: { event: K; at: number; payload: ControlPanelEvents[K] } }[keyof ControlPanelEvents];

export function osdpRig(options: RigOptions = {}) {
  const clock = new FakeClock(Date.UTC(2025, 8, 1, 7, 30), 0);
  const scheduler = new FakeScheduler(clock);
  const [cpEnd, pdEnd] = FakeByteStream.pair();
  let counter = 0;
  const random = (n: number): Buffer => Buffer.alloc(n, ++counter);
  const turnstile = new SimTurnstile(scheduler, { passProbability: 1, walkMs: 700, pulseMs: 300, ...options.turnstile });
  const sim = options.sim ?? { scbk: SITE_KEY };
  const pd = new SimPd(pdEnd, scheduler, turnstile, { address: 0, serial: 4242, random, ...sim });
  const log = pino({ level: process.env['RESCARD_TEST_LOG'] ?? 'silent' });
  const cp = new OsdpControlPanel(
    { stream: cpEnd, scheduler, clock, log, random },
    { pds: [{ address: 0, name: 'turnstile', scbk: SITE_KEY, ...options.pd }], ...options.cp },
  );
  const events: Recorded[] = [];
  for (const event of ['online', 'offline', 'input', 'card', 'secure-channel-lost', 'local-status'] as const) {
    cp.events.on(event, (payload) => events.push({ event, at: clock.monoMs(), payload } as Recorded));
  }
  const peripherals = new OsdpPeripherals(cp, scheduler, log, { address: 0, turnstile: DEFAULT_TURNSTILE });
  const count = (event: keyof ControlPanelEvents): number => events.filter((e) => e.event === event).length;
  return { clock, scheduler, cpEnd, pdEnd, pd, turnstile, cp, events, peripherals, count };
}
