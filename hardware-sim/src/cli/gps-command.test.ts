/** rescard-sim gps: option errors are CONFIG_INVALID (exit 2) before any port is opened. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { runGpsCommand, type GpsCommandOptions } from './gps-command.js';

const base: GpsCommandOptions = { port: '/nonexistent/tty', baud: 9600, talker: 'GP' };
const silent = pino({ level: 'silent' });

async function errorOf(options: GpsCommandOptions): Promise<unknown> {
  try {
    await runGpsCommand(options, silent, () => undefined);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('rescard-sim gps options', () => {
  it.each([
    ['neither --nmea nor --route', base],
    ['both', { ...base, nmea: 'a.nmea', route: 'r.json' }],
    ['an unreadable log', { ...base, nmea: '/nonexistent/log.nmea' }],
    ['an unreadable route', { ...base, route: '/nonexistent/route.json' }],
  ])('%s', async (_name, options) => {
    expect(isRescardError(await errorOf(options), 'CONFIG_INVALID')).toBe(true);
  });
});
