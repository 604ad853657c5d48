/**
 * The admin CLI against a real server: openServer on a temp data folder (SQLite files, aedes,
 * HTTP on port 0) with the real registry and PKI plugins; operator login and reports are served
 * by stand-ins with the documented shapes (testing/cli-test-server.ts) until those plugins land.
 * The CLI runs in-process (runCli) with real fetch over real HTTP and captured stdout/stderr.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePayload, topics } from '@rescard/shared';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deviceKeys } from '../pki/pki-fixtures.js';
import { testPan } from '../registry/registry-fixtures.js';
import { makeHeartbeat } from '../testing/tap-fixtures.js';
import { runRescard, type CliRun, type RunOptions } from './testing/cli-harness.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, BIG_REPORT_ROWS, SESSION_TOKEN, USER, bigReportLines, startCliTestServer, type CliTestServer } from './testing/cli-test-server.js';

let srv: CliTestServer;
let home: string;
const dirs: string[] = [];

const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  srv = await startCliTestServer();
  home = tempDir('rescard-cli-home-');
}, 60_000);

afterAll(async () => {
  await srv.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** As an admin with --server and RESCARD_TOKEN, unless the options say otherwise. */
const admin = (argv: string[], o: Partial<RunOptions> = {}): Promise<CliRun> =>
  runRescard([...argv, '--server', srv.url], { homeDir: home, ...o, env: { RESCARD_TOKEN: ADMIN_TOKEN, ...o.env } });

const both = (r: CliRun): string => r.stdout + r.stderr;
const maskOf = (pan: string): string => `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('exit codes and error bodies', () => {
  it('a successful call exits 0 and prints the answer on stdout only', async () => {
    const r = await admin(['devices', '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ devices: expect.any(Array) });
  });

  it('a 400 with an API code exits 1 and shows the code and message on stderr', async () => {
    const r = await admin(['stoplist', 'add', '--token', 'not-a-card-token', '--reason', 'lost']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rescard: REQUEST_INVALID: .*token/m);
    expect(r.stdout).toBe('');
  });

  it('with --json a failure also prints {"error":{code,message}} on stdout for scripts', async () => {
    const r = await admin(['revoke', 'no-such-device', '--reason', 'stolen', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: expect.any(String), message: expect.stringMatching(/no-such-device/) } });
  });

  it('no token: the server answers 401 AUTH_REQUIRED and the CLI exits 3 with a hint to log in', async () => {
    const r = await runRescard(['stoplist', 'propagation', '--version', '1', '--server', srv.url], { homeDir: tempDir('rescard-cli-empty-') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rescard: AUTH_REQUIRED: /);
    expect(r.stderr).toMatch(/rescard login --server URL/);
  });

  it('a read-only account trying a change gets 403 FORBIDDEN: exit 3, nothing changed', async () => {
    const pan = testPan(901);
    const r = await runRescard(['stoplist', 'add', '--pan', pan, '--reason', 'LOST', '--server', srv.url], { homeDir: home, env: { RESCARD_TOKEN: AUDITOR_TOKEN } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rescard: FORBIDDEN: role auditor may not stoplist.add/);
    const why = await admin(['stoplist', 'why', '--pan', pan, '--json']);
    expect(JSON.parse(why.stdout)).toMatchObject({ stoplist: null });
  });

  it('the server is down: SERVER_UNREACHABLE, exit 1', async () => {
    const port = await closedPort();
    const r = await runRescard(['devices', '--server', `http://127.0.0.1:${port}`], { homeDir: home, env: { RESCARD_TOKEN: ADMIN_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rescard: SERVER_UNREACHABLE: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('usage errors exit 2 before anything is sent: a missing option, an unknown reason, two card names', async () => {
    const before = srv.authorizations.length;
    for (const argv of [
      ['stoplist', 'add', '--pan', testPan(902)],
      ['stoplist', 'add', '--pan', testPan(902), '--reason', 'bored'],
      ['stoplist', 'add', '--pan', testPan(902), '--token', 'x'.repeat(43), '--reason', 'LOST'],
      ['import', 'pets', 'file.csv'],
      ['report', 'big', '--from', '2025-09-01'],
    ]) {
      const r = await admin(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).not.toBe('');
    }
    expect(srv.authorizations.length).toBe(before);
  });
});

describe('login and token precedence', () => {
  it('login with RESCARD_PASSWORD saves the session token in a 0600 file in a 0700 folder, and never prints it', async () => {
    const h = tempDir('rescard-cli-login-');
    const r = await runRescard(['login', '--server', `${srv.url}/`, '--user', USER.username], { homeDir: h, env: { RESCARD_PASSWORD: USER.password } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/logged in to http:\/\/127\.0\.0\.1:\d+ as anna \(admin\)/);
    expect(both(r)).not.toContain(SESSION_TOKEN);
    expect(both(r)).not.toContain(USER.password);
    const path = join(h, '.config', 'rescard', 'credentials.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(h, '.config', 'rescard')).mode & 0o777).toBe(0o700);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { default: string; servers: Record<string, { token: string }> };
    expect(file.default).toBe(srv.url);
    expect(file.servers[srv.url]?.token).toBe(SESSION_TOKEN);

    // The saved login is used with no --server and no token given.
    const seen = srv.authorizations.length;
    const d = await runRescard(['devices', '--json'], { homeDir: h });
    expect(d.code).toBe(0);
    expect(srv.authorizations.slice(seen)).toEqual([`Bearer ${SESSION_TOKEN}`]);
  });

  it('login reads the password from stdin with --password-stdin; a wrong one is AUTH_INVALID, exit 3, nothing saved', async () => {
    const h = tempDir('rescard-cli-login-');
    const ok = await runRescard(['login', '--server', srv.url, '--user', 'anna', '--password-stdin'], { homeDir: h, stdin: `${USER.password}\n` });
    expect(ok.code).toBe(0);
    expect(srv.logins.at(-1)).toEqual({ username: 'anna', password: USER.password });
    const h2 = tempDir('rescard-cli-login-');
    const bad = await runRescard(['login', '--server', srv.url, '--user', 'anna'], { homeDir: h2, env: { RESCARD_PASSWORD: 'wrong' } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/AUTH_INVALID: wrong username or password/);
    expect(() => statSync(join(h2, '.config', 'rescard', 'credentials.json'))).toThrow();
  });

  it('login without a terminal and without RESCARD_PASSWORD is a usage error (exit 2), nothing sent', async () => {
    const before = srv.logins.length;
    const r = await runRescard(['login', '--server', srv.url, '--user', 'anna'], { homeDir: tempDir('rescard-cli-login-') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RESCARD_PASSWORD/);
    expect(srv.logins.length).toBe(before);
  });

  it('the token sent is --api-token over RESCARD_TOKEN over the saved login; RESCARD_SERVER over the saved server', async () => {
    const h = tempDir('rescard-cli-prec-');
    expect((await runRescard(['login', '--server', srv.url, '--user', 'anna'], { homeDir: h, env: { RESCARD_PASSWORD: USER.password } })).code).toBe(0);
    const sent = async (argv: string[], env: Record<string, string> = {}): Promise<string | undefined> => {
      const n = srv.authorizations.length;
      const r = await runRescard(['devices', '--json', ...argv], { homeDir: h, env });
      expect(r.code).toBe(0);
      return srv.authorizations.slice(n)[0];
    };
    expect(await sent([])).toBe(`Bearer ${SESSION_TOKEN}`);
    expect(await sent([], { RESCARD_TOKEN: AUDITOR_TOKEN })).toBe(`Bearer ${AUDITOR_TOKEN}`);
    expect(await sent(['--api-token', ADMIN_TOKEN], { RESCARD_TOKEN: AUDITOR_TOKEN })).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(await sent(['--token', ADMIN_TOKEN], { RESCARD_TOKEN: AUDITOR_TOKEN })).toBe(`Bearer ${ADMIN_TOKEN}`);
    // Another server named by RESCARD_SERVER gets no saved token (it was not issued there).
    const port = await closedPort();
    const other = await runRescard(['devices'], { homeDir: h, env: { RESCARD_SERVER: `http://127.0.0.1:${port}` } });
    expect(other.stderr).toContain(`cannot reach http://127.0.0.1:${port}`);
  });
});

describe('stop-list', () => {
  it('add, why and remove by PAN: the PAN goes only in request bodies; the CLI prints the masked PAN the server sends', async () => {
    const pan = testPan(42);
    const expires = `${new Date().getFullYear() + 1}-01-01`;
    const add = await admin(['stoplist', 'add', '--pan', pan, '--reason', 'stolen', '--note', 'holder called', '--expires', expires]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`stop-listed: ${maskOf(pan)}`);
    expect(add.stdout).toMatch(/reason STOLEN, expires \d{4}-\d{2}-\d{2}T/);
    const version = Number(/stop-list version (\d+)/.exec(add.stdout)?.[1]);
    expect(version).toBeGreaterThan(0);

    const why = await admin(['stoplist', 'why', '--pan', pan]);
    expect(why.code).toBe(0);
    expect(why.stdout).toContain(`card ${maskOf(pan)}`);
    expect(why.stdout).toMatch(/stop-list: ON IT since .* reason STOLEN, by anna/);

    const spaced = pan.replace(/(\d{4})(?=\d)/g, '$1 ');
    const remove = await admin(['stoplist', 'remove', '--pan', spaced, '--json']);
    expect(remove.code).toBe(0);
    expect(JSON.parse(remove.stdout)).toMatchObject({ version: version + 1, panMasked: maskOf(pan) });

    const fromStdin = await admin(['stoplist', 'why', '--pan', '-', '--json'], { stdin: `${pan}\n` });
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ panMasked: maskOf(pan), stoplist: null });

    for (const r of [add, why, remove, fromStdin]) {
      expect(both(r)).not.toContain(pan);
      expect(both(r)).not.toContain(spaced);
    }
  });

  it('a PAN failing the Luhn check: PAN_INVALID, exit 1, and the error shows it masked only', async () => {
    const good = testPan(43);
    const bad = good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
    for (const argv of [['stoplist', 'add', '--pan', bad, '--reason', 'LOST'], ['stoplist', 'add', '--pan', bad, '--reason', 'LOST', '--json']]) {
      const r = await admin(argv);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('PAN_INVALID');
      expect(both(r)).toContain(maskOf(bad));
      expect(both(r)).not.toContain(bad);
    }
    // commander's own messages (an option spelled wrong, with the PAN glued on) are masked too.
    const typo = await admin(['stoplist', 'add', `--pann=${good}`, '--reason', 'LOST']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(maskOf(good));
    expect(both(typo)).not.toContain(good);
  });

  it('propagation --watch refreshes until every reporting device holds the version', async () => {
    const add = await admin(['stoplist', 'add', '--pan', testPan(44), '--reason', 'FRAUD', '--json']);
    const version = (JSON.parse(add.stdout) as { version: number }).version;
    const client = connect(`mqtt://127.0.0.1:${srv.server.ports.mqtt}`, { clientId: 'bus-0042', protocolVersion: 4, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => client.once('connect', () => resolve()).once('error', reject));
    try {
      await client.publishAsync(topics.deviceStatus('bus-0042'), encodePayload(makeHeartbeat('bus-0042', { stoplist: version - 1 }, { atMs: Date.now() })), { qos: 1 });
      // The PUBACK comes before the server has stored the status (aedes acks first, the writer
      // commits after): the watch starts once the device shows as behind.
      await vi.waitFor(async () => {
        const res = await fetch(`${srv.url}/api/stoplist/propagation?version=${version}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(await res.text()).toContain('bus-0042');
      }, { timeout: 10_000, interval: 20 });
      let refreshes = 0;
      const watching = admin(['stoplist', 'propagation', '--version', String(version), '--watch'], {
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (typeof input === 'string' && input.includes('/propagation') && ++refreshes === 3) {
            await client.publishAsync(topics.deviceStatus('bus-0042'), encodePayload(makeHeartbeat('bus-0042', { stoplist: version }, { atMs: Date.now() })), { qos: 1 });
          }
          return res;
        },
      });
      const r = await watching;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`0 of 1 device\\(s\\) at or past it, 1 behind[\\s\\S]*bus-0042 +terminal +${version - 1} +online`));
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/1 of 1 device\(s\) at or past it, 0 behind/);
      expect(refreshes).toBeGreaterThanOrEqual(4);
    } finally {
      client.end(true);
    }
  });
});

describe('import', () => {
  const holders = (n: number, from = 0): string => ['PAN;category', ...Array.from({ length: n }, (_, i) => `${testPan(1000 + from + i)};pensioner`)].join('\n') + '\n';

  it('uploads a holders file: result (rows, versions) on stdout, upload and server progress on stderr only', async () => {
    const dir = tempDir('rescard-cli-import-');
    const file = join(dir, 'holders.csv');
    writeFileSync(file, holders(15_000));
    const r = await admin(['import', 'holders', file, '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as { status: string; rows: number; versions: { list: string; version: number; changed: boolean }[] };
    expect(rec).toMatchObject({ status: 'applied', rows: 15_000 });
    expect(rec.versions[0]).toMatchObject({ list: 'benefit', changed: true });
    expect(r.stderr).toMatch(/^upload [\d.]+ (B|KiB|MiB) \/ [\d.]+ KiB \(\d+%\)/m);
    expect(r.stderr).toMatch(/server: (parsing|comparing|applying)/);
    expect(r.stdout).not.toMatch(/upload|server:/);
    for (let i = 0; i < 15_000; i += 3000) expect(both(r)).not.toContain(testPan(1000 + i));

    const again = await admin(['import', 'holders', file, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/unchanged .* 15000 rows\n {2}benefit region: version \d+ \(no change\), 15000 entries/);
    expect(again.stderr).toBe('');
  }, 60_000);

  it('a file with bad lines: IMPORT_INVALID, exit 1, each error with its line number, the PAN masked', async () => {
    const dir = tempDir('rescard-cli-import-');
    const file = join(dir, 'bad.csv');
    const luhnBad = testPan(5).slice(0, -1) + String((Number(testPan(5).at(-1)) + 3) % 10);
    writeFileSync(file, `PAN;category\n${testPan(6)};pensioner\n${testPan(7)};astronaut\n${luhnBad};student\n`);
    const r = await admin(['import', 'holders', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rescard: IMPORT_INVALID: holders import: 2 error\(s\), nothing was applied/);
    expect(r.stderr).toMatch(/^ {2}line 3: .*astronaut/m);
    expect(r.stderr).toMatch(new RegExp(`^ {2}line 4: .*${maskOf(luhnBad).replaceAll('*', '\\*')}`, 'm'));
    expect(both(r)).not.toContain(luhnBad);
    expect(r.stdout).toBe('');
  });

  it('--school limits the import to one school: a row of another school is a line error', async () => {
    const dir = tempDir('rescard-cli-import-');
    const file = join(dir, 'roster.csv');
    writeFileSync(file, `PAN,school,class,role\n${testPan(8)},school-7,5A,student\n${testPan(9)},school-9,1A,student\n`);
    const r = await admin(['import', 'roster', file, '--school', 'school-7', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ {2}line 3: school school-9: this import is limited to school school-7/m);
    expect((await admin(['import', 'roster', file, '--school', 'no/slash'])).code).toBe(2);
  });

  it('a missing file is a usage error (exit 2)', async () => {
    const r = await admin(['import', 'roster', join(tmpdir(), 'no-such-rescard-file.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CONFIG_INVALID: cannot read .*ENOENT/);
  });
});

describe('report', () => {
  const expected = bigReportLines(BIG_REPORT_ROWS).join('\n') + '\n';

  it('streams to --out: bytes reach the disk before the server has finished, then the file is complete and renamed', async () => {
    const dir = tempDir('rescard-cli-report-');
    const out = join(dir, 'trips.csv');
    let onDiskMidway = false;
    srv.reportHooks.midway = async () => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const partial = readdirSync(dir).find((f) => f.endsWith('.partial'));
        if (partial !== undefined && statSync(join(dir, partial)).size > 0) {
          onDiskMidway = true;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    try {
      const r = await admin(['report', 'big', '--from', '2025-09-01', '--to', '2025-09-30', '--out', out, '--route', 'r42', '--category', 'pensioner', '--param', 'kind=clock']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(onDiskMidway).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(expected);
      expect(readdirSync(dir)).toEqual(['trips.csv']);
      expect(srv.reportQueries.at(-1)).toEqual({ from: '2025-09-01', to: '2025-09-30', format: 'csv', routeId: 'r42', category: 'pensioner', kind: 'clock' });
    } finally {
      delete srv.reportHooks.midway;
    }
  });

  it('streams to stdout when no --out is given', async () => {
    const r = await admin(['report', 'big', '--from', '2025-09-01', '--to', '2025-09-30', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(srv.reportQueries.at(-1)).toMatchObject({ format: 'json' });
  });

  it('a sub-report name (carrier-trips/taps) is sent as a path, not encoded into one segment', async () => {
    const r = await admin(['report', 'carrier-trips/taps', '--from', '2025-09-01', '--to', '2025-09-30', '--format', 'ndjson']);
    expect(r.code).toBe(1);
    // The stand-in serves one segment only, so the real path reaches the 404 handler verbatim.
    expect(r.stderr).toMatch(/REQUEST_INVALID: no route GET \/api\/reports\/carrier-trips\/taps\n/);
  });

  it('an unknown report: the API error, exit 1, and no file left behind', async () => {
    const dir = tempDir('rescard-cli-report-');
    const r = await admin(['report', 'nope', '--from', '2025-09-01', '--to', '2025-09-30', '--out', join(dir, 'x.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/REQUEST_INVALID: no report nope/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('devices, enrolment tokens, revocation', () => {
  it('an enrolment token is made for a bus; once the device enrols it shows in the table; revoke marks it revoked', async () => {
    const t = await admin(['enrol-token', '--device', 'bus-0777', '--kind', 'terminal', '--profile', 'bus', '--route', 'r42', '--carrier', 'c1', '--vehicle', 'v77', '--json']);
    expect(t.code).toBe(0);
    const token = (JSON.parse(t.stdout) as { token: string }).token;
    const keys = deviceKeys('bus-0777');
    const enrolled = await fetch(`${srv.url}/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, csrPem: keys.csrPem }) });
    expect(enrolled.status).toBe(200);

    const table = await admin(['devices']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +PROFILE +SITE +CERTIFICATE +SEEN +LISTS +QUEUE +RESTRICTED$/m);
    expect(table.stdout).toMatch(/^bus-0777 +bus +route r42, carrier c1, vehicle v77 +valid to \d{4}-\d{2}-\d{2} \(\d+d\) +never seen/m);

    const revoked = await admin(['revoke', 'bus-0777', '--reason', 'stolen from the depot']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^bus-0777: revoked at /);
    expect((await admin(['devices'])).stdout).toMatch(/^bus-0777 +bus .* revoked /m);
  }, 15_000);

  it('a gate token with a route instead of its school is a usage error (exit 2)', async () => {
    const r = await admin(['enrol-token', '--device', 'gate-1', '--kind', 'terminal', '--profile', 'gate', '--route', 'r42']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--site/);
  });
});

describe('ca init', () => {
  it('creates the CA in the data folder (key 0600) and refuses to replace it (exit 1)', async () => {
    const data = tempDir('rescard-cli-ca-');
    const r = await runRescard(['ca', 'init', '--data', data, '--json'], { homeDir: home });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { certificate: string; key: string; sha256: string };
    expect(out.certificate).toBe(join(data, 'ca', 'ca.crt'));
    expect(statSync(out.key).mode & 0o777).toBe(0o600);
    expect(out.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const again = await runRescard(['ca', 'init', '--data', data], { homeDir: home });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/CONFIG_INVALID: a project CA already exists/);
  }, 15_000);
});
