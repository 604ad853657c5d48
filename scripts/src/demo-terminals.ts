/**
 * Demo part 2: the three terminal profiles deciding offline. For each device: signed lists are
 * loaded with `rescard-terminal lists load`, the device runs as `rescard-terminal start`, and
 * virtual cards are presented to the real PC/SC stack; what the device shows is printed as it
 * happens. Then `rescard-terminal status` shows the journal.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProfileCard, presentCard } from '@rescard/hardware-sim';
import { DEMO_ROUTE, DeviceProcess, buildDemoWorld, terminalCli, type DemoWorld } from '@rescard/terminal/testing';
import { startSim, type SimPeripheral } from './demo-sim.js';

const SETTLE_MS = 700;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Step {
  readonly say: string;
  readonly profile: string;
  readonly port?: number;
  /** Wait this long before the tap (the gate's repeat window is 1 s in the demo). */
  readonly pauseMs?: number;
}

function cli(args: string[]): string {
  const r = terminalCli(args);
  return (r.stdout || r.stderr).trim();
}

async function runDevice(title: string, config: string, lists: string[], steps: Step[], port: number, sim?: SimPeripheral): Promise<void> {
  console.log(`\n-- ${title} --`);
  for (const file of lists) console.log(`  lists load ${file.split('/').at(-1)}: ${cli(['lists', 'load', file, '--config', config])}`);
  const device = DeviceProcess.start(config);
  try {
    await playSteps(device, steps, port, sim);
  } finally {
    await device.stop();
  }
  const status = JSON.parse(cli(['status', '--config', config])) as { journal: { depth: number; nextSeq: number } };
  console.log(`  journal: ${status.journal.depth} taps recorded, next seq ${status.journal.nextSeq} (kept until the uplink acknowledges them)`);
}

async function playSteps(device: DeviceProcess, steps: Step[], port: number, sim?: SimPeripheral): Promise<void> {
  // Ready once it reports normal mode (a gate's turnstile first comes online over OSDP).
  let status: string | null = '';
  while (status !== null && !status.includes('обычный режим')) {
    status = await device.next(8000, true);
    console.log(`  ${status ?? '(the device did not report normal mode)'}`);
  }
  for (const step of steps) {
    if (step.pauseMs) await sleep(step.pauseMs);
    const presented = await presentCard({ card: buildProfileCard(step.profile).card, port: step.port ?? port, holdMs: 5000 });
    console.log(`  ${step.say.padEnd(44)} ${(await device.next()) ?? '(no answer from the device)'}`);
    if (sim) {
      const passage = await device.next(5000);
      if (passage?.includes('↳')) console.log(`  ${''.padEnd(44)} ${passage}`);
      for (const line of sim.drain()) console.log(`  ${''.padEnd(44)}   ${line}`);
    }
    await presented.remove();
    await sleep(SETTLE_MS);
  }
}

export async function demoTerminals(port: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-demo-'));
  const scbkHex = randomBytes(16).toString('hex'); // the turnstile's Secure Channel key, this run only
  const routeFile = join(dir, 'gps-route.json');
  writeFileSync(routeFile, JSON.stringify(DEMO_ROUTE));
  const gps = await startSim((end) => ['gps', '--port', end, '--route', routeFile, '--rate-hz', '2']);
  const turnstile = await startSim((end) => ['turnstile', '--port', end, '--address', '1', '--scbk', scbkHex, '--pass-probability', '1', '--walk-ms', '500']);
  const world = await buildDemoWorld(dir, Date.now(), { gpsPort: gps.port, turnstile: { port: turnstile.port, scbkHex } });
  try {
    await threeDevices(world, port, turnstile);
  } finally {
    await gps.stop(); // also when a step failed: never leave a simulator behind
    await turnstile.stop();
  }
}

async function threeDevices(world: DemoWorld, port: number, turnstile: SimPeripheral): Promise<void> {
  const c = world.cards;
  console.log(`\n== 2. Terminals decide offline (signed lists, SQLite journal in ${world.dir}) ==`);
  await runDevice('bus validator, route r42, GPS on a serial line (rescard-sim gps)', world.configs.bus, world.lists.bus, [
    { say: 'pensioner taps a Mir card', profile: c.pensioner },
    { say: 'taps again at once', profile: c.pensioner },
    { say: 'student taps a phone (Mir Pay, PAR)', profile: c.phoneStudent },
    { say: 'a card reported lost', profile: c.stopListed },
    { say: 'a Visa card with no benefit', profile: c.notEnrolled },
  ], port);
  await runDevice('school gate, school-7 (IN on 00 00, OUT on 00 01), OSDP turnstile with Secure Channel', world.configs.gate, world.lists.gate, [
    { say: 'student enters', profile: c.pensioner },
    { say: 'passes the card back to a friend (passback)', profile: c.pensioner, pauseMs: 1200 },
    { say: 'student leaves', profile: c.pensioner, port: port + 1 },
    { say: 'someone not on the roster', profile: c.notEnrolled },
  ], port, turnstile);
  await runDevice('canteen till, school-7 (lunch window now)', world.configs.canteen, world.lists.canteen, [
    { say: 'student with a free lunch', profile: c.pensioner },
    { say: 'the same student again', profile: c.pensioner },
    { say: 'student paying from a 200 ₽ allowance', profile: c.payingStudent },
    { say: 'a card reported lost', profile: c.stopListed },
  ], port);
}
