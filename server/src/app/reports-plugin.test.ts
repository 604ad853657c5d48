/**
 * The reports over HTTP on the real server (openServer: server.db in the data folder, the
 * fixture's taps ingested through the server's own store): formats, headers, identical bytes,
 * scopes, authorisation and bad parameters.
 */
import { RescardError } from '@rescard/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config/server-config.js';
import type { ReportScope } from '../reports/index.js';
import { buildFixture, MEAL_CATEGORIES, pan, ROSTER, tok, type Fixture } from '../reports/report-fixtures.js';
import { openServer } from './open-server.js';
import { reportsPlugin } from './reports-plugin.js';
import type { RunningServer } from './server.js';

let fx: Fixture;
let server: RunningServer;
const asked: string[] = [];

beforeAll(async () => {
  fx = buildFixture();
  const config = loadServerConfig({ dataDir: fx.dir, httpPort: 0, mqttPort: 0, logLevel: 'silent' });
  server = await openServer(config, pino({ level: 'silent' }), [
    reportsPlugin({
      roster: ROSTER,
      mealCategories: () => MEAL_CATEGORIES,
      authorize: (req, action) => {
        asked.push(action);
        if (req.headers['x-role'] === 'technician') throw new RescardError('FORBIDDEN', 'role technician may not report:read', { status: 403 });
      },
      scopeOf: (req) => {
        const s = req.headers['x-scope'];
        return typeof s === 'string' ? (JSON.parse(s) as ReportScope) : null;
      },
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await server.stop();
  fx.cleanup();
});

const get = (url: string, headers: Record<string, string> = {}) => server.http.inject({ method: 'GET', url, headers });
const PERIOD = 'from=2026-10-01&to=2026-11-30';

describe('formats', () => {
  it('CSV by default: RFC 4180 body, a file name with the period, no caching, and the same bytes every time', async () => {
    const res = await get(`/api/reports/benefit-trips?${PERIOD}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="benefit-trips_2026-10-01_2026-11-30.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe(
      'month,token,panMasked,category,rides,companions,paidKopecks\r\n' +
        `2026-10,${tok('H1')},${pan(1)},pensioner,1,0,0\r\n2026-11,${tok('H1')},${pan(1)},pensioner,2,1,0\r\n` +
        `2026-11,${tok('H2')},${pan(2)},student,2,0,4502\r\n2026-11,${tok('H3')},${pan(3)},pensioner,3,0,0\r\n`,
    );
    expect((await get(`/api/reports/benefit-trips?${PERIOD}`)).rawPayload.equals(res.rawPayload)).toBe(true);
    expect(asked).toContain('report:read');
  });

  it('every report answers in csv, json and ndjson, byte-identical on a second run', async () => {
    for (const name of ['benefit-trips', 'carrier-trips', 'carrier-trips/taps', 'attendance', 'meals', 'meal-billing', 'anomalies']) {
      for (const format of ['csv', 'json', 'ndjson']) {
        const url = `/api/reports/${name}?${PERIOD}&format=${format}`;
        const a = await get(url);
        expect(a.statusCode, url).toBe(200);
        expect((await get(url)).rawPayload.equals(a.rawPayload), url).toBe(true);
        if (format === 'json') expect(Array.isArray(JSON.parse(a.body)), url).toBe(true);
      }
    }
    const billing = JSON.parse((await get(`/api/reports/meal-billing?${PERIOD}&format=json&schoolId=school-7`)).body) as { category: string; freeValueKopecks: number }[];
    expect(billing.map((r) => [r.category, r.freeValueKopecks])).toEqual([['', 0], ['large-family', 15000], ['low-income', 9000]]);
  });

  it('a real socket gets the report chunked (streamed, no Content-Length)', async () => {
    const res = await fetch(`http://127.0.0.1:${server.ports.http}/api/reports/carrier-trips/taps?${PERIOD}&format=ndjson`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();
    expect((await res.text()).trim().split('\n')).toHaveLength(9);
  });

  it('the routes are in the OpenAPI document with their query schemas', async () => {
    await server.http.ready();
    const doc = server.http.swagger() as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    expect(doc.paths['/api/reports/anomalies']?.get?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'format', 'kind', 'travelKm']));
  });
});

describe('scopes and authorisation', () => {
  const scope = (s: ReportScope) => ({ 'x-scope': JSON.stringify(s) });

  it('a school principal sees only its school; asking for another school is 403 FORBIDDEN', async () => {
    const own = JSON.parse((await get(`/api/reports/attendance?${PERIOD}&format=json`, scope({ schools: ['school-8'] }))).body) as { schoolId: string }[];
    expect(own.map((r) => r.schoolId)).toEqual(['school-8']);
    const other = await get(`/api/reports/attendance?${PERIOD}&schoolId=school-7`, scope({ schools: ['school-8'] }));
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('a carrier sees only its carrier ids, and no school data', async () => {
    const rows = JSON.parse((await get(`/api/reports/carrier-trips?${PERIOD}&format=json`, scope({ carriers: ['c2'] }))).body) as { carrierId: string }[];
    expect(rows.map((r) => r.carrierId)).toEqual(['c2', 'c2']);
    expect((await get(`/api/reports/meals?${PERIOD}`, scope({ carriers: ['c2'] }))).body).toBe('schoolId,day,className,token,panMasked,meals,freeMeals,paidMeals,paidKopecks,windows\r\n');
    expect((await get(`/api/reports/carrier-trips?${PERIOD}&carrierId=c1`, scope({ carriers: ['c2'] }))).statusCode).toBe(403);
  });

  it('a refusal from the authorisation seam keeps its status and code', async () => {
    const res = await get(`/api/reports/benefit-trips?${PERIOD}`, { 'x-role': 'technician' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'role technician may not report:read' } });
  });
});

describe('bad parameters: 400 REQUEST_INVALID', () => {
  for (const [what, query] of [
    ['no period', 'format=csv'],
    ['no end', 'from=2026-11-01'],
    ['not a date', 'from=01.11.2026&to=2026-11-30'],
    ['not a calendar date', 'from=2026-02-30&to=2026-03-31'],
    ['a reversed period', 'from=2026-12-01&to=2026-11-30'],
    ['an unknown format', `${PERIOD}&format=xml`],
    ['a misspelt filter', `${PERIOD}&shoolId=school-7`],
    ['a filter of another report', `${PERIOD}&carrierId=c1`],
    ['a bad id', `${PERIOD}&schoolId=${encodeURIComponent('a b')}`],
  ] as const) {
    it(`attendance with ${what}`, async () => {
      const res = await get(`/api/reports/attendance?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    });
  }

  it('anomalies with a negative distance or an unknown kind', async () => {
    for (const q of ['travelKm=-1', 'kind=ghosts', 'travelMinutes=abc']) {
      const res = await get(`/api/reports/anomalies?${PERIOD}&${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    }
  });

  it('an unknown report is 404', async () => {
    expect((await get(`/api/reports/everything?${PERIOD}`)).statusCode).toBe(404);
  });
});
