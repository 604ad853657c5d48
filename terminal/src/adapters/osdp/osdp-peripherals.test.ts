/**
 * The gate behaviour over OSDP (issue 6, part 2) against the simulated turnstile, virtual time:
 * release -> passage -> 'passed'; nobody -> 'not-passed'; offline -> 'not-passed' and an alarm;
 * green/red, buzzer and (transliterated) text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { decodeFrame } from '../../protocol/osdp/index.js';
import type { PeripheralStatus } from '../../ports/peripherals.js';
import { OsdpPeripherals } from './osdp-peripherals.js';
import { osdpRig } from './osdp-test-rig.js';
import { toDisplayAscii } from './translit.js';

type Rig = ReturnType<typeof osdpRig>;
let rig: Rig | undefined;

async function started(options: Parameters<typeof osdpRig>[0] = {}): Promise<Rig> {
  rig = osdpRig(options);
  rig.cp.start();
  await rig.scheduler.until(() => rig!.cp.state(0).online, 5000);
  return rig;
}

afterEach(async () => {
  await rig?.cp.stop();
  rig = undefined;
});

/** Start an async call, advance virtual time until it settles, return its value and the time taken. */
async function timed<T>(r: Rig, run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  let value: T | undefined;
  let done = false;
  void run().then((v) => ((value = v), (done = true)));
  const ms = await r.scheduler.until(() => done, 20_000, 5);
  return { value: value as T, ms };
}

describe('OsdpPeripherals at a gate', () => {
  it('release IN: the passage sensor confirms -> passed, and the arm is locked again', async () => {
    const r = await started();
    const { value, ms } = await timed(r, () => r.peripherals.release('IN', 3000));
    expect(value).toBe('passed');
    expect(ms).toBeGreaterThanOrEqual(700); // the person's walk
    expect(ms).toBeLessThan(700 + 150); // plus at most a poll period and an exchange
    await r.scheduler.advance(100);
    expect(r.turnstile.log).toEqual(['turnstile IN released for 3000 ms', 'person passed IN', 'turnstile IN locked']);
    expect(r.turnstile.outputs).toEqual([false, false]);
  });

  it('release OUT drives output 1 and listens to input 1; the mapping is configurable', async () => {
    const r = await started();
    expect((await timed(r, () => r.peripherals.release('OUT', 2000))).value).toBe('passed');
    expect(r.turnstile.log[0]).toBe('turnstile OUT released for 2000 ms');
    const swapped = new OsdpPeripherals(r.cp, r.scheduler, pino({ level: 'silent' }), {
      address: 0,
      turnstile: { releaseOutput: { IN: 1, OUT: 0 }, passageInput: { IN: 1, OUT: 0 }, graceMs: 400 },
    });
    expect((await timed(r, () => swapped.release('IN', 2000))).value).toBe('passed');
    expect(r.turnstile.log).toContain('person passed OUT');
  });

  it('nobody passes within the time -> not-passed', async () => {
    const r = await started({ turnstile: { passProbability: 0 } });
    const { value, ms } = await timed(r, () => r.peripherals.release('IN', 3000));
    expect(value).toBe('not-passed');
    expect(ms).toBeGreaterThanOrEqual(3000 + 400);
  });

  it('the release command overtakes feedback already queued (urgent)', async () => {
    const r = await started();
    const before = r.cpEnd.written.length;
    const feedback = r.peripherals.indicate({ outcome: 'ALLOW', text: 'Проходите' });
    expect((await timed(r, () => r.peripherals.release('IN', 3000))).value).toBe('passed');
    await feedback;
    const codes = r.cpEnd.written.slice(before).map((b) => decodeFrame(b).code).filter((c) => c !== 0x60);
    expect(codes.slice(0, 4)).toEqual([0x68, 0x69, 0x6a, 0x6b]); // OUT, then LED, BUZ, TEXT
  });

  it('shows green / red, buzzes and writes the text (transliterated to ASCII)', async () => {
    const r = await started();
    await r.peripherals.indicate({ outcome: 'ALLOW', text: 'Проходите' });
    await r.peripherals.indicate({ outcome: 'DENY', text: 'Карта в стоп-листе' });
    expect(r.turnstile.log).toEqual([
      'LED green for 3000 ms',
      'BUZZER 1 x 200 ms',
      'TEXT "Prokhodite" (3 s)',
      'LED red for 3000 ms',
      'BUZZER 3 x 100 ms',
      'TEXT "Karta v stop-liste" (3 s)',
    ]);
    expect(toDisplayAscii('Ёлка №5 «ура»', 32)).toBe('Elka N5 "ura"');
  });

  it('offline PD: release is not-passed at once, status raises the alarm, and clears it', async () => {
    const r = await started();
    const statuses: PeripheralStatus[] = [];
    r.peripherals.onStatus((s) => statuses.push(s));
    r.pd.offline();
    await r.scheduler.until(() => !r.peripherals.status().allOnline, 5000);
    expect((await timed(r, () => r.peripherals.release('IN', 3000))).value).toBe('not-passed');
    await r.peripherals.indicate({ outcome: 'DENY', text: 'Нет связи' });
    expect(r.peripherals.status().devices[0]).toMatchObject({ name: 'turnstile', online: false, lastError: expect.stringContaining('no reply') });
    r.pd.online();
    await r.scheduler.until(() => r.peripherals.status().allOnline, 5000);
    expect(statuses.map((s) => s.allOnline)).toEqual([false, true]);
  });
});
