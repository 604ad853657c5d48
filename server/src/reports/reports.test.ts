/**
 * Every report's figures on a real server.db built through the server's own ingest store
 * (report-fixtures.ts), checked against hand-computed numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, MEAL_CATEGORIES, pan, ROSTER, tok, type Fixture } from './report-fixtures.js';
import { DEFAULT_TRAVEL, LocalClock, runReport, type ReportName, type ReportQuery, type ReportScope } from './index.js';
import { distanceKm } from './travel.js';

let fx: Fixture;
beforeAll(() => {
  fx = buildFixture();
});
afterAll(() => fx.cleanup());

const clock = new LocalClock('Europe/Moscow');

async function run(name: ReportName, over: Partial<ReportQuery> & { from?: string; to?: string } = {}, format: 'csv' | 'json' | 'ndjson' = 'ndjson'): Promise<string> {
  const { from = '2026-10-01', to = '2026-11-30', ...rest } = over;
  const q: ReportQuery = { period: clock.period(from, to), scope: null, filters: {}, travel: DEFAULT_TRAVEL, ...rest };
  const stream = runReport(name, fx.dbPath, clock, q, { roster: ROSTER, mealCategories: MEAL_CATEGORIES }, format);
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

async function rows(name: ReportName, over: Partial<ReportQuery> & { from?: string; to?: string } = {}): Promise<Record<string, unknown>[]> {
  const text = await run(name, over);
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const scoped = (scope: ReportScope): Partial<ReportQuery> => ({ scope });

it('the fixture: a resent tap is stored once', () => {
  expect(fx.duplicatesStored).toBe(0);
});

describe('benefit trips per holder per month', () => {
  it('counts allowed rides and companions by Moscow month; a denied, a repeat, a not-enrolled tap and a resend count nothing', async () => {
    expect(await rows('benefit-trips')).toEqual([
      { month: '2026-10', token: tok('H1'), panMasked: pan(1), category: 'pensioner', rides: 1, companions: 0, paidKopecks: 0 },
      { month: '2026-11', token: tok('H1'), panMasked: pan(1), category: 'pensioner', rides: 2, companions: 1, paidKopecks: 0 },
      { month: '2026-11', token: tok('H2'), panMasked: pan(2), category: 'student', rides: 2, companions: 0, paidKopecks: 4502 },
      { month: '2026-11', token: tok('H3'), panMasked: pan(3), category: 'pensioner', rides: 3, companions: 0, paidKopecks: 0 },
    ]);
  });

  it('a ride at 00:30 on 1 December Moscow time (30 November in UTC) falls in December, outside October–November', async () => {
    const dec = await rows('benefit-trips', { from: '2026-12-01', to: '2026-12-31' });
    expect(dec).toEqual([{ month: '2026-12', token: tok('H1'), panMasked: pan(1), category: 'pensioner', rides: 1, companions: 0, paidKopecks: 0 }]);
  });

  it('the category filter keeps one category', async () => {
    expect((await rows('benefit-trips', { filters: { category: 'student' } })).map((r) => r['token'])).toEqual([tok('H2')]);
  });

  it('the CSV is RFC 4180 with a header row and CRLF', async () => {
    const csv = await run('benefit-trips', {}, 'csv');
    expect(csv.split('\r\n')).toEqual([
      'month,token,panMasked,category,rides,companions,paidKopecks',
      `2026-10,${tok('H1')},${pan(1)},pensioner,1,0,0`,
      `2026-11,${tok('H1')},${pan(1)},pensioner,2,1,0`,
      `2026-11,${tok('H2')},${pan(2)},student,2,0,4502`,
      `2026-11,${tok('H3')},${pan(3)},pensioner,3,0,0`,
      '',
    ]);
  });
});

describe('carrier trips', () => {
  const all = [
    { day: '2026-10-31', carrierId: 'c1', routeId: 'r1', category: 'pensioner', rides: 1, companions: 0, holders: 1, paidKopecks: 0 },
    { day: '2026-11-01', carrierId: 'c1', routeId: 'r1', category: 'pensioner', rides: 2, companions: 1, holders: 2, paidKopecks: 0 },
    { day: '2026-11-01', carrierId: 'c1', routeId: 'r1', category: 'student', rides: 1, companions: 0, holders: 1, paidKopecks: 2251 },
    { day: '2026-11-01', carrierId: 'c1', routeId: 'r2', category: 'pensioner', rides: 1, companions: 0, holders: 1, paidKopecks: 0 },
    { day: '2026-11-01', carrierId: 'c1', routeId: 'r2', category: 'student', rides: 1, companions: 0, holders: 1, paidKopecks: 2251 },
    { day: '2026-11-01', carrierId: 'c2', routeId: 'r9', category: 'pensioner', rides: 1, companions: 0, holders: 1, paidKopecks: 0 },
    { day: '2026-11-02', carrierId: 'c2', routeId: 'r9', category: 'pensioner', rides: 1, companions: 0, holders: 1, paidKopecks: 0 },
  ];

  it('by carrier × route × Moscow day × category', async () => {
    expect(await rows('carrier-trips')).toEqual(all);
  });

  it('a carrier scope sees only its carrier; a school scope sees no bus trips', async () => {
    expect(await rows('carrier-trips', scoped({ carriers: ['c2'] }))).toEqual(all.filter((r) => r.carrierId === 'c2'));
    expect(await rows('carrier-trips', scoped({ routes: ['r2'] }))).toEqual(all.filter((r) => r.routeId === 'r2'));
    expect(await rows('carrier-trips', scoped({ schools: ['school-7'] }))).toEqual([]);
    expect(await rows('benefit-trips', scoped({ carriers: [] }))).toEqual([]);
  });

  it('the drill-down lists exactly the taps behind a row, in time order', async () => {
    const taps = await rows('carrier-trips/taps', { from: '2026-11-01', to: '2026-11-01', filters: { routeId: 'r1', category: 'pensioner' } });
    expect(taps.map((t) => [t['time'], t['token'], t['counted'], t['deviceId'], t['vehicleId']])).toEqual([
      ['2026-11-01T00:30:00.000+03:00', tok('H1'), 'RIDE', 'bus-1', 'v1'],
      ['2026-11-01T09:00:00.000+03:00', tok('H1'), 'COMPANION', 'bus-1', 'v1'],
      ['2026-11-01T12:00:00.000+03:00', tok('H3'), 'RIDE', 'bus-1', 'v1'],
    ]);
    expect(taps[2]).toMatchObject({ lat: 55.75, lon: 37.62, fareType: 'FREE', staleList: false, clockFault: false, carrierId: 'c1', day: '2026-11-01' });
    const sum = await rows('carrier-trips/taps');
    expect(sum).toHaveLength(all.reduce((n, r) => n + r.rides + r.companions, 0));
  });
});

describe('attendance', () => {
  const row = (day: string, className: string, who: string, role: string, firstEntry: string | null, lastExit: string | null, status: string, onRoster = true) => ({
    schoolId: 'school-7', day, className, token: tok(who), panMasked: firstEntry !== null || lastExit !== null ? pan({ S1: 11, S2: 12, S3: 13, T1: 14, S9: 19 }[who]!) : '',
    role, onRoster, firstEntry, lastExit, status,
  });

  it('first entry, last exit and absent per class; a grant without a confirmed passage is not attendance; a day without passages is no school day', async () => {
    expect(await rows('attendance', { filters: { schoolId: 'school-7' } })).toEqual([
      row('2026-11-02', '', 'S9', '', null, '09:00:00', 'exit_only', false),
      row('2026-11-02', '5A', 'S1', 'student', '08:00:02', '15:30:00', 'present'),
      row('2026-11-02', '5A', 'S2', 'student', null, null, 'absent'),
      row('2026-11-02', '6B', 'S3', 'student', null, null, 'absent'),
      row('2026-11-02', 'staff', 'T1', 'staff', '07:30:00', null, 'present'),
      row('2026-11-03', '5A', 'S1', 'student', '08:05:00', null, 'present'),
      row('2026-11-03', '5A', 'S2', 'student', null, null, 'absent'),
      row('2026-11-03', '6B', 'S3', 'student', null, null, 'absent'),
      row('2026-11-03', 'staff', 'T1', 'staff', null, null, 'absent'),
    ]);
  });

  it('a school principal sees only its schools', async () => {
    const own = await rows('attendance', scoped({ schools: ['school-8'] }));
    expect(own).toEqual([
      { schoolId: 'school-8', day: '2026-11-02', className: '1A', token: tok('U1'), panMasked: pan(21), role: 'student', onRoster: true, firstEntry: '08:00:00', lastExit: null, status: 'present' },
    ]);
    expect(await rows('attendance', scoped({ carriers: ['c1'] }))).toEqual([]);
  });
});

describe('meals and billing', () => {
  it('meals per student per day: free, paid, windows in serving order; repeats and refusals count nothing', async () => {
    expect(await rows('meals')).toEqual([
      { schoolId: 'school-7', day: '2026-11-02', className: '5A', token: tok('S1'), panMasked: pan(11), meals: 2, freeMeals: 1, paidMeals: 1, paidKopecks: 15000, windows: 'breakfast lunch' },
      { schoolId: 'school-7', day: '2026-11-02', className: '5A', token: tok('S2'), panMasked: pan(12), meals: 1, freeMeals: 1, paidMeals: 0, paidKopecks: 0, windows: 'lunch' },
      { schoolId: 'school-7', day: '2026-11-03', className: '6B', token: tok('S3'), panMasked: pan(13), meals: 1, freeMeals: 0, paidMeals: 1, paidKopecks: 15000, windows: 'lunch' },
      { schoolId: 'school-8', day: '2026-11-02', className: '1A', token: tok('U1'), panMasked: pan(21), meals: 1, freeMeals: 0, paidMeals: 1, paidKopecks: 12000, windows: 'lunch' },
    ]);
  });

  it('billing per school and category: free meals at menu value, paid meals at what the allowance paid', async () => {
    expect(await rows('meal-billing')).toEqual([
      { schoolId: 'school-7', category: '', meals: 1, freeMeals: 0, freeValueKopecks: 0, paidMeals: 1, paidKopecks: 15000 },
      { schoolId: 'school-7', category: 'large-family', meals: 1, freeMeals: 1, freeValueKopecks: 15000, paidMeals: 0, paidKopecks: 0 },
      { schoolId: 'school-7', category: 'low-income', meals: 2, freeMeals: 1, freeValueKopecks: 9000, paidMeals: 1, paidKopecks: 15000 },
      { schoolId: 'school-8', category: '', meals: 1, freeMeals: 0, freeValueKopecks: 0, paidMeals: 1, paidKopecks: 12000 },
    ]);
    expect(await rows('meal-billing', scoped({ schools: ['school-8'] }))).toHaveLength(1);
  });
});

describe('anomalies', () => {
  it('gaps overlapping the period (open and closed), stale-list taps, clock faults, impossible travel', async () => {
    const all = await rows('anomalies');
    expect(all.map((r) => [r['kind'], r['deviceId'], r['seq'], r['state'] ?? r['token']])).toEqual([
      ['gap', 'bus-1', 3, 'closed'],
      ['gap', 'bus-2', 5, 'open'],
      ['gap', 'gate-7', 20, 'closed'],
      ['stale_list', 'bus-1', 6, tok('H2')],
      ['clock_fault', 'bus-3', 2, tok('H3')],
      ['impossible_travel', 'bus-2', 1, tok('H2')],
      ['impossible_travel', 'bus-2', 2, tok('H2')],
      ['impossible_travel', 'bus-1', 7, tok('H3')],
    ]);
    expect(all[0]).toMatchObject({ time: '2026-10-31T23:40:00.000+03:00', toSeq: 3, closedTime: '2026-11-01T00:10:00.000+03:00' });
    expect(all[1]).toMatchObject({ time: '2026-11-01T09:00:00.000+03:00', toSeq: 7, closedTime: null });
    expect(all[4]).toMatchObject({ time: '2026-11-01T12:05:00.000+03:00', receivedTime: '2026-11-01T12:06:00.000+03:00', site: 'r9', vehicleId: 'v9' });
    expect(all[5]).toMatchObject({ vehicleId: 'v2', site: 'r2', otherDeviceId: 'bus-1', otherVehicleId: 'v1', otherSite: 'r1', minutesApart: 2, distanceKm: null });
    const km = distanceKm(55.75, 37.62, 55.75, 38.5);
    expect(km).toBeGreaterThan(50);
    expect(all[7]).toMatchObject({ vehicleId: 'v1', otherVehicleId: 'v9', minutesApart: 5, distanceKm: Math.round(km * 1000) / 1000 });
  });

  it('travel parameters: a larger distance threshold clears the positioned pair; a shorter route window clears the unpositioned ones', async () => {
    const travel = await rows('anomalies', { kind: 'impossible_travel', travel: { minutes: 10, km: 100, routeMinutes: 1 } });
    expect(travel.map((r) => [r['token'], r['minutesApart']])).toEqual([[tok('H2'), 1]]);
  });

  it('a school scope sees its own devices\' gaps and nothing of the buses', async () => {
    expect((await rows('anomalies', scoped({ schools: ['school-7'] }))).map((r) => [r['kind'], r['deviceId']])).toEqual([['gap', 'gate-7']]);
  });
});

it('the same inputs give byte-identical output, in every format', async () => {
  for (const name of ['benefit-trips', 'carrier-trips', 'carrier-trips/taps', 'attendance', 'meals', 'meal-billing', 'anomalies'] as const) {
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      const a = await run(name, {}, format);
      expect(a.length).toBeGreaterThan(0);
      expect(a, 'no full card number, ever: masked PANs and tokens only').not.toMatch(/(?<![\d*])\d{12,19}(?![\d*])/);
      expect(await run(name, {}, format)).toBe(a);
    }
  }
  const json = JSON.parse(await run('anomalies', {}, 'json')) as unknown[];
  expect(json).toHaveLength(8);
});
