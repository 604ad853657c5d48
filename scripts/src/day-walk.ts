/**
 * The operator's and the technician's day (issue 5, "Done when"), with real processes only:
 * `rescard-server start --mqtt-tls`; a technician makes enrolment tokens (`rescard enrol-token`)
 * and enrols a bus validator, a school gate and a canteen reader (`rescard-terminal enroll`);
 * an operator imports holders, a roster and canteen entitlements (`rescard import`); virtual
 * cards are tapped through pcscd (one reader: the devices run one after another); the operator
 * stop-lists the pensioner's card and the bus refuses it; then the month's reports.
 *
 * Used by demo part 4 and by terminal/test/operator-day-walk-enrol-import-tap-stoplist-report.test.ts:
 * it says what happens through `say` and returns what the test asserts. Steps that must hold
 * throw (with the captured output); figures are returned as measured.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { maskPan } from '@rescard/shared';
import { buildProfileCard, presentCard } from '@rescard/hardware-sim';
import { DeviceProcess, SERVER_MAIN, TERMINAL_MAIN, adminToken, buildDemoWorld, startPortsProgram, terminalCli } from '@rescard/terminal/testing';
import { startSim, type SimPeripheral } from './demo-sim.js';

export const RESCARD_CLI = fileURLToPath(new URL('../../server/dist/cli/rescard.js', import.meta.url));

/** The simulator profiles that play the day's people. */
export const DAY_WALK_CARDS = { pensioner: 'mir-debit', student: 'mastercard' } as const;

export interface DayWalkOptions {
  /** vpcd's port for the one virtual reader ("Virtual PCD 00 00"). */
  readonly vpcdPort: number;
  /** Where everything goes (a fresh temp folder when absent). */
  readonly dir?: string;
  readonly say?: (line: string) => void;
}

export interface DayWalkDecisions {
  readonly busRide1: string;
  readonly busRepeat: string;
  readonly busRide2: string;
  readonly gateIn: string;
  readonly gatePassage: string;
  readonly canteenMeal: string;
  readonly busAfterStop: string;
}

export interface DayWalkResult {
  readonly dir: string;
  /** The server's and the devices' data folders. */
  readonly dataDirs: readonly string[];
  /** Every MQTT message the server's broker handled (NDJSON, `--mqtt-capture`). */
  readonly mqttCapture: string;
  /** The MQTT URL each enrolled config holds. */
  readonly mqttUrls: Readonly<Record<string, string>>;
  readonly ports: { readonly http: number; readonly mqtt: number; readonly mqtts: number };
  /** Device ids `rescard devices --json` lists. */
  readonly registry: readonly string[];
  readonly imports: { readonly holders: string; readonly roster: string; readonly canteen: string };
  readonly decisions: DayWalkDecisions;
  readonly stoplist: { readonly version: number; readonly reachedBusMs: number; readonly atOrPast: readonly string[] };
  /** The reports as CSV text, as `rescard report … --format csv` printed them. */
  readonly reports: { readonly benefitTrips: string; readonly attendance: string; readonly meals: string };
  readonly figures: {
    /** benefit-trips `rides` of the pensioner's row (the month). */
    readonly pensionerRides: number | null;
    /** attendance `status` of the student's row today. */
    readonly studentAttendance: string | null;
    readonly studentClass: string | null;
    /** meals `meals` of the student's row today. */
    readonly studentMeals: number | null;
  };
  /** The test PANs, for the leak search. */
  readonly pans: readonly string[];
  /** Everything the programs printed (stdout and stderr of the server, devices, CLIs). */
  readonly captured: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node <args>` to completion (async: the devices' output keeps flowing meanwhile). */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A report's CSV (RFC 4180, header row) as one object per row. */
export function parseCsv(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
}

/** Today's local date (Moscow, the programme's zone) and its month. */
function localDay(nowMs: number): { day: string; from: string; to: string } {
  const day = new Date(nowMs + 180 * 60_000).toISOString().slice(0, 10);
  const [y, m] = day.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { day, from: `${day.slice(0, 7)}-01`, to: `${day.slice(0, 7)}-${String(last).padStart(2, '0')}` };
}

export async function runDayWalk(opts: DayWalkOptions): Promise<DayWalkResult> {
  const say = opts.say ?? ((): void => undefined);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'rescard-day-'));
  const captured: string[] = [];
  const children: ChildProcessWithoutNullStreams[] = [];
  const sims: SimPeripheral[] = [];
  let device: DeviceProcess | null = null;
  try {
    return await walk({ dir, say, captured, children, sims, vpcdPort: opts.vpcdPort, setDevice: (d) => (device = d) });
  } finally {
    await (device as DeviceProcess | null)?.stop();
    for (const sim of sims) await sim.stop();
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

interface WalkContext {
  readonly dir: string;
  readonly say: (line: string) => void;
  readonly captured: string[];
  readonly children: ChildProcessWithoutNullStreams[];
  readonly sims: SimPeripheral[];
  readonly vpcdPort: number;
  readonly setDevice: (d: DeviceProcess | null) => void;
}

async function walk(ctx: WalkContext): Promise<DayWalkResult> {
  const { dir, say, captured } = ctx;
  const serverData = join(dir, 'server');
  const pans = Object.values(DAY_WALK_CARDS).map((p) => buildProfileCard(p).pan);
  const pensionerPan = buildProfileCard(DAY_WALK_CARDS.pensioner).pan;
  const studentPan = buildProfileCard(DAY_WALK_CARDS.student).pan;

  // 1. The server, with MQTT over TLS for the devices.
  const mqttCapture = join(dir, 'mqtt-capture.ndjson'); // every MQTT message, for the PAN search
  const { child: server, ports: raw } = await startPortsProgram([
    SERVER_MAIN, 'start', '--data', serverData, '--http-port', '0', '--mqtt-port', '0', '--mqtt-tls', '--mqtt-tls-port', '0', '--log-level', 'info', '--mqtt-capture', mqttCapture,
  ]);
  ctx.children.push(server);
  server.stdout.on('data', (d: Buffer) => captured.push(d.toString()));
  server.stderr.on('data', (d: Buffer) => captured.push(d.toString()));
  const ports = raw as unknown as { http: number; mqtt: number; mqtts: number };
  const url = `http://127.0.0.1:${ports.http}`;
  say(`rescard-server start --data ${serverData} --mqtt-tls: HTTP ${ports.http}, MQTT over TLS ${ports.mqtts}`);
  const env = { RESCARD_SERVER: url, RESCARD_TOKEN: adminToken(serverData), XDG_CONFIG_HOME: join(dir, 'cli-config') };

  const rescard = async (args: readonly string[], must = true): Promise<Run> => {
    const r = await run([RESCARD_CLI, ...args], env);
    captured.push(r.stdout, r.stderr);
    if (must && r.code !== 0) throw new Error(`rescard ${args.join(' ')}: exit ${r.code}\n${r.stderr}${r.stdout}`);
    return r;
  };

  // 2. The technician enrols three devices (templates: the demo world's rules and readers).
  const scbkHex = randomBytes(16).toString('hex');
  const turnstile = await startSim((end) => ['turnstile', '--port', end, '--address', '1', '--scbk', scbkHex, '--pass-probability', '1', '--walk-ms', '500']);
  ctx.sims.push(turnstile);
  const world = await buildDemoWorld(join(dir, 'templates'), Date.now(), { turnstile: { port: turnstile.port, scbkHex } });
  const template = (path: string, extra: Record<string, unknown> = {}): string => {
    const t = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    delete t['dataDir']; // each device keeps its data in its own enrolment folder
    delete t['lists'];
    const rules = { ...(t['rules'] as Record<string, unknown>), ...extra };
    const out = `${path}.template.json`;
    writeFileSync(out, JSON.stringify({ ...t, rules, uplink: { heartbeatMs: 1000 } }, null, 2));
    return out;
  };
  const devices = [
    { id: 'bus-0001', args: ['--profile', 'bus', '--route', 'r42', '--carrier', 'carrier-1', '--vehicle', 'A123BC'], template: template(world.configs.bus, { repeatWindowSec: 3 }) },
    { id: 'gate-0001', args: ['--profile', 'gate', '--site', 'school-7'], template: template(world.configs.gate) },
    { id: 'canteen-0001', args: ['--profile', 'canteen', '--site', 'school-7'], template: template(world.configs.canteen) },
  ];
  const configs: Record<string, string> = {};
  const mqttUrls: Record<string, string> = {};
  for (const d of devices) {
    const made = await rescard(['enrol-token', '--device', d.id, '--kind', 'terminal', ...d.args, '--json']);
    const token = (JSON.parse(made.stdout) as { token: string }).token;
    const out = join(dir, 'devices', d.id);
    const enrolled = await run([TERMINAL_MAIN, 'enroll', '--server', url, '--token', token, '--out', out, '--template', d.template]);
    captured.push(enrolled.stdout, enrolled.stderr);
    if (enrolled.code !== 0) throw new Error(`rescard-terminal enroll ${d.id}: exit ${enrolled.code}\n${enrolled.stderr}`);
    configs[d.id] = join(out, 'terminal.json');
    mqttUrls[d.id] = (JSON.parse(readFileSync(configs[d.id]!, 'utf8')) as { uplink: { url: string } }).uplink.url;
    say(`technician: rescard enrol-token --device ${d.id} … ; rescard-terminal enroll --server ${url} --token rset1_${d.id}_… → ${mqttUrls[d.id]}`);
  }
  const listed = await rescard(['devices', '--json']);
  const registry = ((JSON.parse(listed.stdout) as { devices?: { deviceId: string }[] }).devices ?? []).map((d) => d.deviceId);
  say(`rescard devices: ${registry.join(', ')}`);

  // 3. The operator imports holders, the roster and canteen entitlements.
  mkdirSync(join(dir, 'imports'), { recursive: true });
  const csv = (name: string, text: string): string => {
    const path = join(dir, 'imports', name);
    writeFileSync(path, text);
    return path;
  };
  const holdersCsv = csv('holders.csv', `Номер карты;Категория;Действует с;Действует по;ФИО\n${pensionerPan};пенсионер;;;Иванова А.П.\n`);
  const rosterCsv = csv('roster.csv', `PAN,school,class,role\n${studentPan},school-7,5A,student\n`);
  const canteenCsv = csv('canteen.csv', `PAN;Школа;Класс;Питание;Лимит в день, коп.\n${studentPan};school-7;5A;малоимущие;0\n`);
  const importOne = async (kind: string, file: string): Promise<string> => {
    const r = await rescard(['import', kind, file, '--json', '--quiet']);
    const status = (JSON.parse(r.stdout) as { status: string }).status;
    say(`operator: rescard import ${kind} ${file.split('/').at(-1)} → ${status}`);
    return status;
  };
  const imports = { holders: await importOne('holders', holdersCsv), roster: await importOne('roster', rosterCsv), canteen: await importOne('canteen', canteenCsv) };

  // 4. Taps, one device at a time (one virtual reader).
  const start = async (id: string, needs: readonly string[]): Promise<DeviceProcess> => {
    const d = DeviceProcess.start(configs[id]!);
    ctx.setDevice(d);
    await until(`${id} holds ${needs.join(', ')}`, () => needs.every((l) => (listVersion(id, l, configs) ?? 0) >= 1), 20_000);
    await sleep(1000); // the status screen settles (a gate's turnstile comes online over OSDP)
    return d;
  };
  /** Stop a device once its taps are at the server (acknowledged: the journal drained). */
  const stop = async (id: string, d: DeviceProcess): Promise<void> => {
    await until(`${id}'s taps acknowledged by the server`, () => journalDepth(configs[id]!) === 0, 15_000);
    await d.stop();
    captured.push(d.stderr);
    ctx.setDevice(null);
  };
  const tap = async (d: DeviceProcess, profile: string, what: string, follow = false): Promise<[string, string]> => {
    const presented = await presentCard({ card: buildProfileCard(profile).card, port: ctx.vpcdPort, holdMs: 5000 });
    const line = (await d.next(10_000)) ?? '(no answer)';
    const second = follow ? ((await d.next(8000)) ?? '(no passage line)') : '';
    await presented.remove();
    await sleep(700);
    captured.push(line, second);
    say(`  ${what.padEnd(40)} ${line}${second ? `\n  ${''.padEnd(40)} ${second}` : ''}`);
    return [line, second];
  };

  say('bus-0001 (route r42) starts: mqtts to the server, lists over HTTP');
  let bus = await start('bus-0001', ['benefit', 'stoplist']);
  const [busRide1] = await tap(bus, DAY_WALK_CARDS.pensioner, 'the pensioner boards');
  const [busRepeat] = await tap(bus, DAY_WALK_CARDS.pensioner, 'taps again at once');
  await sleep(3500); // past the bus's repeat window (3 s here)
  const [busRide2] = await tap(bus, DAY_WALK_CARDS.pensioner, 'rides again later');
  await stop('bus-0001', bus);

  say('gate-0001 (school-7, OSDP turnstile) starts');
  const gate = await start('gate-0001', ['roster', 'stoplist']);
  const [gateIn, gatePassage] = await tap(gate, DAY_WALK_CARDS.student, 'the student (5A) enters', true);
  for (const line of turnstile.drain()) captured.push(line);
  await stop('gate-0001', gate);

  say('canteen-0001 (school-7, lunch now) starts');
  const canteen = await start('canteen-0001', ['roster', 'canteen', 'stoplist']);
  const [canteenMeal] = await tap(canteen, DAY_WALK_CARDS.student, 'the student takes lunch');
  await stop('canteen-0001', canteen);

  // 5. The operator stop-lists the pensioner's card; the bus refuses it.
  bus = await start('bus-0001', ['benefit', 'stoplist']);
  const t0 = Date.now();
  const added = await rescard(['stoplist', 'add', '--pan', pensionerPan, '--reason', 'STOLEN', '--note', 'holder called', '--json']);
  const version = (JSON.parse(added.stdout) as { version: number }).version;
  say(`operator: rescard stoplist add --pan ${maskPan(pensionerPan)} --reason STOLEN → stop-list v${version}`);
  await until('the stop-list reached bus-0001', () => (listVersion('bus-0001', 'stoplist', configs) ?? 0) >= version, 15_000);
  const reachedBusMs = Date.now() - t0;
  const atOrPast = await until('bus-0001 reports the version', async () => {
    const r = await rescard(['stoplist', 'propagation', '--version', String(version), '--json'], false);
    if (r.code !== 0) return false;
    const ids = (JSON.parse(r.stdout) as { atOrPast: { deviceId: string }[] }).atOrPast.map((d) => d.deviceId);
    return ids.includes('bus-0001') ? ids : false;
  }, 15_000);
  say(`  on bus-0001 after ${reachedBusMs} ms; rescard stoplist propagation --version ${version}: at or past: ${atOrPast.join(', ')}`);
  const [busAfterStop] = await tap(bus, DAY_WALK_CARDS.pensioner, 'the stolen card is tapped');
  await stop('bus-0001', bus);

  // 6. The month's reports.
  const { day, from, to } = localDay(Date.now());
  const report = async (name: string): Promise<string> => {
    const r = await rescard(['report', name, '--from', from, '--to', to, '--format', 'csv']);
    say(`operator: rescard report ${name} --from ${from} --to ${to} --format csv\n${r.stdout.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}`);
    return r.stdout;
  };
  const reports = { benefitTrips: await report('benefit-trips'), attendance: await report('attendance'), meals: await report('meals') };
  const pensionerRow = parseCsv(reports.benefitTrips).find((r) => r['panMasked'] === maskPan(pensionerPan));
  const studentDay = parseCsv(reports.attendance).find((r) => r['panMasked'] === maskPan(studentPan) && r['day'] === day);
  const studentMeal = parseCsv(reports.meals).find((r) => r['panMasked'] === maskPan(studentPan) && r['day'] === day);

  return {
    dir,
    dataDirs: [serverData, join(dir, 'devices')],
    mqttCapture,
    mqttUrls,
    ports,
    registry,
    imports,
    decisions: { busRide1, busRepeat, busRide2, gateIn, gatePassage, canteenMeal, busAfterStop },
    stoplist: { version, reachedBusMs, atOrPast },
    reports,
    figures: {
      pensionerRides: pensionerRow ? Number(pensionerRow['rides']) : null,
      studentAttendance: studentDay?.['status'] ?? null,
      studentClass: studentDay?.['className'] ?? null,
      studentMeals: studentMeal ? Number(studentMeal['meals']) : null,
    },
    pans,
    captured: captured.join('\n'),
  };
}

/** A list's version on a device (`rescard-terminal status`), null while it meets the device mid-write. */
function listVersion(id: string, list: string, configs: Record<string, string>): number | null {
  const status = deviceStatus(configs[id]!);
  return status?.lists[list]?.version ?? null;
}

function journalDepth(config: string): number | null {
  return deviceStatus(config)?.journal.depth ?? null;
}

function deviceStatus(config: string): { lists: Record<string, { version?: number }>; journal: { depth: number } } | null {
  const r = terminalCli(['status', '--config', config]);
  if (r.code !== 0) return null;
  try {
    return JSON.parse(r.stdout) as { lists: Record<string, { version?: number }>; journal: { depth: number } };
  } catch {
    return null;
  }
}

async function until<T>(what: string, probe: () => T | false | Promise<T | false>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(250);
  }
}
