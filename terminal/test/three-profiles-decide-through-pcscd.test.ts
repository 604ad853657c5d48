/**
 * Issue 3 end to end: signed lists loaded with `rescard-terminal lists load`, each profile run as
 * `rescard-terminal start` (a real process), virtual cards presented through pcscd + vpcd. The
 * device's screen (stdout) shows the expected decisions; `status` shows the journal; the
 * database files hold tokens and masked PANs, never a PAN.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeviceDb } from '../src/adapters/sqlite/open-device-db.js';
import { SqliteTapJournal } from '../src/adapters/sqlite/sqlite-tap-journal.js';
import type { TapRecord } from '../src/ports/tap-journal.js';
import { buildProfileCard, presentCard } from '@rescard/hardware-sim';
import { DeviceProcess, buildDemoWorld, openPtyPair, terminalCli, type DemoWorld } from '@rescard/terminal/testing';

const SIM = fileURLToPath(new URL('../../hardware-sim/dist/main.js', import.meta.url));

const PORT_IN = 35963;
const PORT_OUT = 35964;
let device: DeviceProcess | null = null;

afterEach(async () => {
  await device?.stop();
  device = null;
});

async function tap(profile: string, port = PORT_IN): Promise<string> {
  const presented = await presentCard({ card: buildProfileCard(profile).card, port, holdMs: 5000 });
  const line = await device!.next(10_000);
  await presented.remove();
  await new Promise((r) => setTimeout(r, 700)); // let pcscd see the card leave before the next one
  expect(line, device!.stderr).not.toBeNull();
  return line!;
}

async function boot(world: DemoWorld, profile: 'bus' | 'gate' | 'canteen'): Promise<void> {
  for (const file of world.lists[profile]) {
    const r = terminalCli(['lists', 'load', file, '--config', world.configs[profile]]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 1, applied: 'snapshot', dev: false });
  }
  device = DeviceProcess.start(world.configs[profile]);
  // Ready once it says "normal mode" (a gate's turnstile first has to come online over OSDP).
  let status: string | null = null;
  while (status === null || !status.includes('обычный режим')) {
    status = await device.next(10_000, true);
    expect(status, device.stderr).not.toBeNull();
  }
}

/** A gate whose turnstile is `rescard-sim turnstile` on a socat pty, Secure Channel with a fresh key. */
async function gateWithTurnstile(passProbability: string): Promise<{ world: DemoWorld; stop: () => Promise<void> }> {
  const pty = await openPtyPair();
  const scbkHex = randomBytes(16).toString('hex');
  const args = ['turnstile', '--port', pty.a, '--address', '1', '--scbk', scbkHex, '--pass-probability', passProbability, '--walk-ms', '300'];
  const sim = spawn(process.execPath, [SIM, ...args], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    sim.kill('SIGTERM');
    await pty.close();
  };
  try {
    const world = await buildDemoWorld(mkdtempSync(join(tmpdir(), 'rescard-e2e-')), Date.now(), { turnstile: { port: pty.b, scbkHex } });
    await boot(world, 'gate');
    return { world, stop };
  } catch (err) {
    await stop(); // never leave a simulator behind
    throw err;
  }
}

function journalRows(world: DemoWorld, profile: 'bus' | 'gate' | 'canteen'): TapRecord[] {
  const db = openDeviceDb(join(world.dir, 'devices', `${profile}-0001.db`));
  try {
    return new SqliteTapJournal(db).pending(100);
  } finally {
    db.close();
  }
}

function journalDepth(world: DemoWorld, profile: 'bus' | 'gate' | 'canteen'): number {
  const r = terminalCli(['status', '--config', world.configs[profile]]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { journal: { depth: number } }).journal.depth;
}

function expectNoPanOnDisk(world: DemoWorld): void {
  const pans = Object.values(world.cards).map((p) => buildProfileCard(p).pan);
  const dir = join(world.dir, 'devices');
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file));
    for (const pan of pans) expect(bytes.includes(Buffer.from(pan)), `${pan.slice(0, 6)}… in ${file}`).toBe(false);
  }
}

describe('three profiles decide offline through pcscd', () => {
  it('bus with GPS: benefit ride at a stop, repeat, Mir Pay by PAR, stop-list, not enrolled', async () => {
    const pty = await openPtyPair();
    const world = await buildDemoWorld(mkdtempSync(join(tmpdir(), 'rescard-e2e-')), Date.now(), { gpsPort: pty.b });
    const sim = spawn(process.execPath, [SIM, 'gps', '--port', pty.a, '--route', world.routeFile, '--rate-hz', '4'], { stdio: 'ignore' });
    try {
      await boot(world, 'bus');
      expect(await tap(world.cards.pensioner)).toMatch(/✔ .* @r42-01 .*OK_FREE; 220000\*{6}0004; seq 1\)/);
      await busTaps(world);
    } finally {
      sim.kill('SIGTERM');
      await pty.close();
    }
    const first = journalRows(world, 'bus')[0]!;
    expect(first.position).toMatchObject({ stopId: 'r42-01', flag: 'OK', quality: 1 });
    expect(first.position!.lat).toBeCloseTo(55.7649, 3);
    expectNoPanOnDisk(world);
  });
});

/** After the first ride: repeat, a phone by PAR, a stop-listed card, a card with no benefit. */
async function busTaps(world: DemoWorld): Promise<void> {
  expect(await tap(world.cards.pensioner)).toContain('REPEAT_RIDE');
  expect(await tap(world.cards.phoneStudent)).toMatch(/OK_DISCOUNT.*220400\*{6}0018/);
  expect(await tap(world.cards.stopListed)).toMatch(/✖ Карта заблокирована.*STOPLISTED/);
  expect(await tap(world.cards.notEnrolled)).toMatch(/Оплатите проезд по обычному тарифу.*NOT_ENROLLED; .*seq 5/);
  expect(await device!.stop()).toBe(0);
  expect(journalDepth(world, 'bus')).toBe(5);
}

describe('three profiles decide offline through pcscd (school)', () => {
  it('gate with an OSDP turnstile: entry passes, passback refused, exit passes, stranger refused', async () => {
    const { world, stop } = await gateWithTurnstile('1');
    try {
      expect(await tap(world.cards.pensioner, PORT_IN)).toMatch(/OK_PASSAGE.*seq 1/);
      expect(await device!.next(8000)).toMatch(/проход зарегистрирован.*PASSAGE_CONFIRMED; seq 2/);
      await new Promise((r) => setTimeout(r, 1500)); // past the 1 s repeat window: a friend with the card
      expect(await tap(world.cards.pensioner, PORT_IN)).toContain('ANTI_PASSBACK');
      expect(await tap(world.cards.pensioner, PORT_OUT)).toMatch(/← выход.*OK_PASSAGE/);
      expect(await device!.next(8000)).toContain('PASSAGE_CONFIRMED');
      expect(await tap(world.cards.notEnrolled, PORT_IN)).toContain('NOT_ON_ROSTER');
      await device!.stop();
    } finally {
      await stop();
    }
    const rows = journalRows(world, 'gate');
    expect(rows.filter((r) => r.passage === 'PASSED').map((r) => r.decision.direction)).toEqual(['IN', 'OUT']);
    expect(rows.filter((r) => r.decision.counted === 'PASSAGE')).toHaveLength(2);
  });

  it('gate: a release nobody walks through is recorded as not passed and counts nothing', async () => {
    const { world, stop } = await gateWithTurnstile('0');
    try {
      expect(await tap(world.cards.pensioner, PORT_IN)).toContain('OK_PASSAGE');
      expect(await device!.next(8000)).toMatch(/прохода не было.*NOT_PASSED/);
      // Not counted, so entering again is not passback.
      expect(await tap(world.cards.pensioner, PORT_IN)).toContain('OK_PASSAGE');
      await device!.stop();
    } finally {
      await stop();
    }
    expect(journalRows(world, 'gate').filter((r) => r.decision.counted === 'PASSAGE')).toHaveLength(0);
  });

  it('canteen: free lunch, served once, paid lunch with the same words and the remainder', async () => {
    const world = await buildDemoWorld(mkdtempSync(join(tmpdir(), 'rescard-e2e-')), Date.now());
    await boot(world, 'canteen');
    const free = await tap(world.cards.pensioner);
    expect(free).toContain('OK_MEAL');
    expect(await tap(world.cards.pensioner)).toContain('ALREADY_SERVED');
    const paid = await tap(world.cards.payingStudent);
    expect(paid).toContain('Остаток: 50,00 ₽');
    // Anonymity: the till shows the same words for a free and a paid meal.
    const words = (line: string): string => line.replace(/^\[[^\]]+\] /, '').split(' Остаток')[0]!;
    expect(words(paid)).toBe(words(free));
    await device!.stop();
    expect(journalDepth(world, 'canteen')).toBe(3);
    expectNoPanOnDisk(world);
  });

  it('refuses a forged list and a config with an unknown field, with clear codes', async () => {
    const world = await buildDemoWorld(mkdtempSync(join(tmpdir(), 'rescard-e2e-')), Date.now());
    const file = world.lists.bus[1]!;
    const forged = `${file}.forged`;
    const text = readFileSync(file, 'utf8').replace('"pensioner"', '"veteran"');
    writeFileSync(forged, text);
    const r = terminalCli(['lists', 'load', forged, '--config', world.configs.bus]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'LIST_FILE_INVALID' } });
    const badConfig = join(world.dir, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ ...JSON.parse(readFileSync(world.configs.bus, 'utf8')), speed: 1 }));
    const c = terminalCli(['start', '--config', badConfig]);
    expect(c.code).toBe(2);
    expect(JSON.parse(c.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
  });
});
