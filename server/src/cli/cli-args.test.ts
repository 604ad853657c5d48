import { describe, expect, it } from 'vitest';
import { enrolBody } from './devices-command.js';
import { expiryOf } from './expiry-date.js';
import { redactCardNumbers } from './redact.js';

describe('card numbers in failure text', () => {
  it('any 12-19 digit run, spaced or dashed, is shown masked; shorter numbers stay', () => {
    expect(redactCardNumbers("unknown option '--pann=2200770000000012'")).toBe("unknown option '--pann=220077******0012'");
    expect(redactCardNumbers('pan 2200 7700 0000 0012 and 4111-1111-1111-1111')).toBe('pan 220077******0012 and 411111******1111');
    expect(redactCardNumbers('version 12, port 8080, 12345678901')).toBe('version 12, port 8080, 12345678901');
  });
});

describe('--expires', () => {
  const moscow = (): number => 180;
  it('a plain date is the start of that day on the local clock; a date-time passes as given', () => {
    expect(expiryOf('2026-01-01', moscow)).toBe('2026-01-01T00:00:00+03:00');
    expect(expiryOf('2026-01-01', () => -330)).toBe('2026-01-01T00:00:00-05:30');
    expect(expiryOf('2026-01-01T12:00:00Z', moscow)).toBe('2026-01-01T12:00:00Z');
  });

  it('not a date, or not a calendar date, is a usage error (exit 2)', () => {
    expect(() => expiryOf('next week', moscow)).toThrow(expect.objectContaining({ exitCode: 2, code: 'CONFIG_INVALID' }));
    expect(() => expiryOf('2026-02-30', moscow)).toThrow(/not a calendar date/);
  });
});

describe('enrol-token body', () => {
  it('a bus names its route, carrier and vehicle; a gate its school', () => {
    expect(enrolBody({ device: 'bus-1', kind: 'terminal', profile: 'bus', route: 'r42', carrier: 'c1', vehicle: 'v7' })).toEqual({
      deviceId: 'bus-1', kind: 'terminal', profile: 'bus', routeId: 'r42', carrierId: 'c1', vehicleId: 'v7',
    });
    expect(enrolBody({ device: 'gate-1', kind: 'terminal', profile: 'gate', site: 's-17', ttlHours: 4 })).toEqual({ deviceId: 'gate-1', kind: 'terminal', profile: 'gate', schoolId: 's-17', ttlHours: 4 });
  });

  it('a school and a route together, or a site on a bus, is a usage error', () => {
    expect(() => enrolBody({ device: 'x', kind: 'terminal', profile: 'canteen', site: 's', route: 'r' })).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => enrolBody({ device: 'x', kind: 'terminal', profile: 'bus', site: 's' })).toThrow(/not --site/);
  });
});
