import { describe, expect, it } from 'vitest';
import { formatDevices, type DeviceRow } from './format-devices.js';
import { formatImportErrors, formatImportProgress, formatImportResult } from './format-import.js';
import { formatPropagation, formatStopChange, formatWhy, propagationDone, type PropagationReply } from './format-stoplist.js';
import { ago, formatTable } from './format-table.js';

const NOW = Date.parse('2025-09-03T09:00:00Z');

describe('tables', () => {
  it('columns line up under their header, the last column is not padded', () => {
    expect(formatTable(['ID', 'STATE'], [['a', 'ok'], ['longer-id', 'revoked']])).toBe('ID         STATE\na          ok\nlonger-id  revoked\n');
  });

  it('ages read as seconds, minutes, hours, days', () => {
    expect([ago(NOW - 5000, NOW), ago(NOW - 125_000, NOW), ago(NOW - 3 * 3600_000, NOW), ago(NOW - 2 * 86_400_000, NOW), ago(null, NOW)]).toEqual(['5s ago', '2m ago', '3h ago', '2d ago', 'never']);
  });
});

describe('devices table', () => {
  const rows: DeviceRow[] = [
    {
      deviceId: 'bus-0001', kind: 'terminal', profile: 'bus', site: { routeId: 'r42', carrierId: 'c1', vehicleId: 'v7' }, state: 'active',
      certificate: { notAfter: '2025-09-30T00:00:00.000Z', state: 'valid', daysLeft: 26 },
      status: { online: true, lastSeen: '2025-09-03T08:59:50.000Z', lists: { stoplist: 12, benefit: 3 }, queueDepth: 4, restricted: false, clockFault: false },
    },
    {
      deviceId: 'gate-7', kind: 'terminal', profile: 'gate', site: { schoolId: 's-17' }, state: 'revoked',
      certificate: { notAfter: '2025-09-30T00:00:00.000Z', state: 'revoked', daysLeft: 26 },
      status: { online: false, lastSeen: '2025-09-01T09:00:00.000Z', lists: {}, queueDepth: null, restricted: true, clockFault: true },
    },
    { deviceId: 'lab-1', kind: null, profile: null, state: 'unenrolled', certificate: null, status: null },
  ];

  it('shows profile, site, certificate, last seen, list versions, queue depth and restricted mode per device', () => {
    const lines = formatDevices(rows, NOW).trimEnd().split('\n').map((l) => l.split(/ {2,}/));
    expect(lines[0]).toEqual(['ID', 'PROFILE', 'SITE', 'CERTIFICATE', 'SEEN', 'LISTS', 'QUEUE', 'RESTRICTED']);
    expect(lines[1]).toEqual(['bus-0001', 'bus', 'route r42, carrier c1, vehicle v7', 'valid to 2025-09-30 (26d)', 'online (10s ago)', 'benefit:3 stoplist:12', '4', 'no']);
    expect(lines[2]).toEqual(['gate-7', 'gate', 'school s-17', 'revoked', 'offline, 2025-09-01 09:00Z (2d ago)', '-', '-', 'yes, clock fault']);
    expect(lines[3]).toEqual(['lab-1', '-', '-', 'unenrolled', 'never seen', '-', '-', '-']);
  });

  it('an empty registry says so instead of printing a bare header', () => {
    expect(formatDevices([], NOW)).toBe('no devices enrolled or reporting\n');
  });
});

describe('import output', () => {
  it('progress: upload bytes and percentage, then the server phase and rows', () => {
    expect(formatImportProgress(512 * 1024, 2 * 1024 * 1024, null)).toBe('upload 512.0 KiB / 2.0 MiB (25%)');
    expect(formatImportProgress(2 * 1024 * 1024, 2 * 1024 * 1024, { phase: 'parsing', rowsParsed: 150_000, errorCount: 2 })).toBe('upload 2.0 MiB / 2.0 MiB (100%) · server: parsing, 150,000 rows, 2 error(s)');
  });

  it('result: status, rows and one line per list version, unchanged ones marked', () => {
    const text = formatImportResult({
      id: 'imp-1', kind: 'roster', status: 'applied', rows: 2, errorCount: 0,
      versions: [{ list: 'roster', audience: 'school:s1', version: 4, changed: true, count: 1 }, { list: 'roster', audience: 'school:s2', version: 2, changed: false, count: 1 }],
    });
    expect(text).toBe('import imp-1: applied, 2 rows\n  roster school:s1: version 4, 1 entries\n  roster school:s2: version 2 (no change), 1 entries\n');
  });

  it('errors: one line per error with its line number, and how many more were not listed', () => {
    expect(formatImportErrors({ errorCount: 5, errors: [{ line: 3, message: 'unknown category' }, { line: 9, message: 'bad date' }] })).toBe('  line 3: unknown category\n  line 9: bad date\n  … and 3 more\n');
    expect(formatImportErrors({})).toBe('');
  });
});

describe('stop-list output', () => {
  it('a change names the card by its masked PAN and gives the new version', () => {
    const text = formatStopChange('added', { version: 8, token: 'T'.repeat(43), panMasked: '220077******1234', reason: 'LOST', expiresAt: null });
    expect(text).toMatch(/^stop-listed: 220077\*{6}1234 \(token TTTTTTTTTT…\), reason LOST\nstop-list version 8\n/);
  });

  it('propagation: devices behind are listed with their version and last seen; done when none is behind', () => {
    const p: PropagationReply = {
      list: 'stoplist', version: 9, currentVersion: 9, notReporting: 1,
      atOrPast: [{ deviceId: 'a', kind: 'terminal', version: 9, online: true, lastSeenMs: NOW }],
      behind: [{ deviceId: 'b', kind: 'gateway', version: 7, online: false, lastSeenMs: NOW - 3600_000 }],
    };
    const text = formatPropagation(p, NOW);
    expect(text).toContain('stop-list version 9 (current 9): 1 of 2 device(s) at or past it, 1 behind, 1 not reporting this list');
    expect(text).toMatch(/^b +gateway +7 +offline +2025-09-03 08:00Z \(1h ago\)$/m);
    expect(propagationDone(p)).toBe(false);
    expect(propagationDone({ ...p, behind: [] })).toBe(true);
  });

  it('why: stop-list entry with who and why, its history, list entries and the last taps with outcomes', () => {
    const text = formatWhy({
      token: 't'.repeat(43), kid: 'k1', panMasked: '220077******1234',
      stoplist: { reason: 'STOLEN', addedBy: 'anna', addedAtMs: NOW, version: 5, expiresAtMs: null, note: 'holder called' },
      stoplistHistory: [{ action: 'add', reason: 'STOLEN', actor: 'anna', atMs: NOW, note: null }],
      entries: [{ list: 'benefit', audience: 'region', category: 'pensioner', validFrom: null, validTo: '2025-12-31', importId: 'imp-1', importedBy: 'oleg' }],
      taps: [{ wallMs: NOW, deviceId: 'bus-1', profile: 'bus', outcome: 'DENY', reason: 'STOPLISTED', staleList: true, restricted: false, clockFault: false }],
    });
    expect(text).toContain('stop-list: ON IT since 2025-09-03 09:00Z, reason STOLEN, by anna, version 5, note: holder called');
    expect(text).toContain('  2025-09-03 09:00Z  add  STOLEN  by anna');
    expect(text).toContain('  benefit region: category pensioner, valid - to 2025-12-31, import imp-1 by oleg');
    expect(text).toMatch(/^ {2}2025-09-03 09:00Z +bus-1 +bus +DENY +STOPLISTED +stale list$/m);
  });
});
