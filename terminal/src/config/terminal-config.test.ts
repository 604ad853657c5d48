import { describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import busConfig from '../../examples/bus.json' with { type: 'json' };
import gateConfig from '../../examples/gate.json' with { type: 'json' };
import { parseTerminalConfig } from './terminal-config.js';

function codeAndMessage(raw: unknown): string {
  try {
    parseTerminalConfig(raw);
  } catch (err) {
    if (isRescardError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('terminal config', () => {
  it('accepts the examples and fills defaults', () => {
    const c = parseTerminalConfig(busConfig, {}, '/etc/rescard');
    expect(c.dbPath).toBe('/var/devices/bus-0001.db');
    expect(c.journalCapacityTaps).toBe(1_000_000);
    expect(c.context).toMatchObject({ deviceId: 'bus-0001', profile: 'bus', routeId: 'r42', utcOffsetMinutes: 180 });
    expect(parseTerminalConfig(gateConfig).readers).toHaveLength(2);
  });

  it.each([
    ['an unknown field', { ...busConfig, colour: 'red' }, 'config (root)'],
    ['a bad deviceId', { ...busConfig, deviceId: 'bus/1' }, 'config deviceId'],
    ['a bus without a route', { ...busConfig, context: {} }, 'context.routeId'],
    ['rules for another profile', { ...busConfig, rules: gateConfig.rules }, 'does not match profile'],
    ['a bad rule', { ...busConfig, rules: { ...busConfig.rules, repeatWindowSec: -1 } }, 'rules.repeatWindowSec'],
    ['a gate reader without a direction', { ...gateConfig, readers: [{ name: 'x' }] }, 'readers[].direction'],
    ['a GPS on a gate', { ...gateConfig, gps: { port: '/dev/ttyS0' } }, 'only a bus has a GPS'],
    ['a stop with a 50 km radius', { ...busConfig, gps: { port: '/dev/ttyS0', stops: [{ id: 's', lat: 55, lon: 37, radiusM: 50_000 }] } }, 'gps.stops'],
    ['a journal too small to be safe', { ...busConfig, journal: { capacityTaps: 1 } }, 'journal.capacityTaps'],
  ])('refuses %s with CONFIG_INVALID naming the field', (_name, raw, fragment) => {
    expect(codeAndMessage(raw)).toContain(fragment);
  });

  it('lets the environment override the data folder, the log level and the reader', () => {
    const c = parseTerminalConfig(busConfig, { RESCARD_DATA_DIR: '/data', RESCARD_LOG_LEVEL: 'debug', RESCARD_READER: 'ACS' });
    expect(c.dbPath).toBe('/data/bus-0001.db');
    expect(c.logLevel).toBe('debug');
    expect(c.readers).toEqual([{ name: 'ACS' }]);
  });
});
