/**
 * A small, complete world for the demo and the end-to-end tests: three device configs (bus,
 * gate, canteen, from terminal/examples with windows moved around "now" so the decisions do not
 * depend on the hour the demo runs), a freshly generated list-signing key, and signed list files
 * that name the simulator's cards by token — as the server will produce them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEV_TOKEN_KEYRING_CONFIG,
  TokenKeyring,
  generateListSigningKey,
  writeListFile,
  type ListFileAttrs,
  type ListFileRecord,
} from '@rescard/shared';
import { MIR_TEST_PAR, buildProfileCard } from '@rescard/hardware-sim';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const DAY_MS = 86_400_000;

export interface DemoWorld {
  readonly dir: string;
  readonly configs: { readonly bus: string; readonly gate: string; readonly canteen: string };
  /** The route file for `rescard-sim gps --route`. */
  readonly routeFile: string;
  /** The list files each device loads. */
  readonly lists: { readonly bus: string[]; readonly gate: string[]; readonly canteen: string[] };
  /** The simulator profiles that play each role. */
  readonly cards: typeof DEMO_CARDS;
}

export const DEMO_CARDS = {
  pensioner: 'mir-debit', // benefit: pensioner; roster: student 5A; canteen: free meals
  phoneStudent: 'mir-pay', // benefit by PAR: student (discount)
  stopListed: 'mir-credit', // stop-list: LOST
  notEnrolled: 'visa', // in no list
  payingStudent: 'mastercard', // roster 6B; canteen: paid meals from a 200 ₽ allowance
} as const;

function hhmm(minutes: number): string {
  const m = Math.max(0, Math.min(24 * 60, minutes));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), 'utf8')) as Record<string, unknown>;
}

/** Route r42 for the GPS: the bus stands at its first stop (a long dwell) while the demo taps. */
export const DEMO_ROUTE = {
  id: 'r42',
  speedKmh: 30,
  stops: [
    { id: 'r42-01', name: 'Tverskaya', lat: 55.7649, lon: 37.6057, radiusM: 60, dwellS: 3600 },
    { id: 'r42-02', name: 'Pushkinskaya', lat: 55.7657, lon: 37.6046, radiusM: 60, dwellS: 30 },
  ],
};

export interface DemoWorldOptions {
  /** The terminal's end of the GPS serial line: gives the bus a GPS and route r42's stops. */
  readonly gpsPort?: string;
  /** The terminal's end of the RS-485 line to an OSDP turnstile (address 1) and its SCBK. */
  readonly turnstile?: { readonly port: string; readonly scbkHex: string };
  readonly utcOffsetMinutes?: number;
}

export async function buildDemoWorld(dir: string, nowMs: number, options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const utcOffsetMinutes = options.utcOffsetMinutes ?? 180;
  mkdirSync(join(dir, 'lists'), { recursive: true });
  const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  const { signer, publicKeyPem } = generateListSigningKey('demo-1');
  const pan = (profile: string): string => buildProfileCard(profile).pan;
  const token = (profile: string): { token: string } => ({ token: keyring.panToken(pan(profile)).token });
  const minute = Math.floor(((nowMs / 60_000 + utcOffsetMinutes) % 1440 + 1440) % 1440);
  const lists = { verifyKeys: { 'demo-1': publicKeyPem }, allowDev: false };

  const routeFile = join(dir, 'route-r42.json');
  writeFileSync(routeFile, JSON.stringify(DEMO_ROUTE, null, 2));
  const gps = options.gpsPort
    ? { gps: { port: options.gpsPort, stops: DEMO_ROUTE.stops.map(({ id, name, lat, lon, radiusM }) => ({ id, name, lat, lon, radiusM })) } }
    : {};
  const bus = { ...example('bus'), dataDir: join(dir, 'devices'), lists, ...gps };
  const gate = example('gate');
  const gateRules = gate['rules'] as Record<string, unknown>;
  const allWeek = [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }];
  // A 1 s repeat window, so that a second entry a moment later meets anti-passback in the demo.
  const osdp = options.turnstile ? { osdp: { port: options.turnstile.port, scbkHex: options.turnstile.scbkHex, address: 1, releaseMs: 3000 } } : {};
  const gateCfg = {
    ...gate,
    ...osdp,
    dataDir: join(dir, 'devices'),
    lists,
    rules: { ...gateRules, schedules: { student: allWeek, staff: allWeek }, holidays: [], repeatWindowSec: 1 },
  };
  const canteen = example('canteen');
  const canteenRules = canteen['rules'] as Record<string, unknown>;
  const lunch = { id: 'lunch', from: hhmm(minute - 60), to: hhmm(minute + 60), priceKopecks: 15000 };
  const canteenCfg = {
    ...canteen,
    dataDir: join(dir, 'devices'),
    lists,
    rules: { ...canteenRules, windows: [lunch], freeMeals: { 'low-income': ['lunch'] } },
  };
  const configs = { bus: join(dir, 'bus.json'), gate: join(dir, 'gate.json'), canteen: join(dir, 'canteen.json') };
  writeFileSync(configs.bus, JSON.stringify(bus, null, 2));
  writeFileSync(configs.gate, JSON.stringify(gateCfg, null, 2));
  writeFileSync(configs.canteen, JSON.stringify(canteenCfg, null, 2));

  const put = (card: { token: string }, category: string | null, attrs: ListFileAttrs = {}): ListFileRecord => ({
    op: 'put', card, category, validFrom: null, validTo: null, attrs,
  });
  const issuedAt = new Date(nowMs - 60_000).toISOString();
  const expiresAt = new Date(nowMs + DAY_MS).toISOString();
  const draft = (list: 'benefit' | 'stoplist' | 'roster' | 'canteen', audience: string) => ({ list, audience, version: 1, baseVersion: null, issuedAt, expiresAt });
  const file = (name: string): string => join(dir, 'lists', `${name}.ndjson`);
  await writeListFile(file('benefit'), draft('benefit', 'region'), [
    put(token(DEMO_CARDS.pensioner), 'pensioner'),
    put({ token: keyring.parToken(MIR_TEST_PAR).token }, 'student'),
  ], signer);
  await writeListFile(file('stoplist'), draft('stoplist', 'region'), [put(token(DEMO_CARDS.stopListed), null, { reason: 'LOST' })], signer);
  const school = 'school:school-7';
  await writeListFile(file('roster'), draft('roster', school), [
    put(token(DEMO_CARDS.pensioner), null, { schoolId: 'school-7', classId: '5A', role: 'student' }),
    put(token(DEMO_CARDS.payingStudent), null, { schoolId: 'school-7', classId: '6B', role: 'student' }),
  ], signer);
  await writeListFile(file('canteen'), draft('canteen', school), [
    put(token(DEMO_CARDS.pensioner), 'low-income', { schoolId: 'school-7', dailyAllowanceKopecks: 0 }),
    put(token(DEMO_CARDS.payingStudent), null, { schoolId: 'school-7', dailyAllowanceKopecks: 20000 }),
  ], signer);
  return {
    dir,
    configs,
    routeFile,
    lists: {
      bus: [file('stoplist'), file('benefit')],
      gate: [file('stoplist'), file('roster')],
      canteen: [file('stoplist'), file('roster'), file('canteen')],
    },
    cards: DEMO_CARDS,
  };
}
