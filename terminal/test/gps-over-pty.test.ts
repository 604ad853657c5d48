/**
 * End to end over a real pseudo-terminal pair (socat): the simulated receiver writes with
 * serialport on one end, SerialNmeaReader reads with serialport on the other into NmeaPosition.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseNmeaLog, parseSimRoute, SimGps } from '@rescard/hardware-sim';
import { SystemClock } from '../src/adapters/system/system-clock.js';
import { positionForTap } from '../src/ports/position.js';
import { nmeaFixturePath } from '../src/protocol/nmea/fixtures/nmea-fixtures.js';
import { GpsError } from '../src/adapters/nmea/gps-error.js';
import { NmeaPosition } from '../src/adapters/nmea/nmea-position.js';
import { SerialNmeaReader } from '../src/adapters/nmea/serial-nmea-reader.js';
import { openPtyPair, type PtyPair } from '../src/testing/socat-pty-pair.js';

const log = pino({ level: 'silent' });
/** Three stops 12 m apart (north), radius 5 m; 43.2 km/h = 12 m/s, so one second between stops. */
const ROUTE = {
  id: '3',
  speedKmh: 43.2,
  dwellS: 0.5,
  stops: [
    { id: 'A', lat: 55.75, lon: 37.6, radiusM: 5 },
    { id: 'B', lat: 55.7501079, lon: 37.6, radiusM: 5 },
    { id: 'C', lat: 55.7502158, lon: 37.6, radiusM: 5 },
  ],
};

describe('GPS over a pty pair (socat + serialport on both ends)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(maxAgeMs = 3000) {
    const pty: PtyPair = await openPtyPair();
    cleanup.push(() => pty.close());
    const clock = new SystemClock();
    const position = new NmeaPosition({ clock, maxAgeMs, route: ROUTE, log });
    const stops: string[] = [];
    const sink = {
      feed: (chunk: Uint8Array): void => {
        position.feed(chunk);
        const stopId = position.current(clock.monoMs()).stopId;
        if (stopId !== null && stops.at(-1) !== stopId) stops.push(stopId);
      },
    };
    const reader = new SerialNmeaReader({ path: pty.b, sink, log, reopenDelayMs: 50 });
    await reader.open();
    cleanup.push(() => reader.close());
    return { pty, clock, position, reader, stops };
  }

  it('the sim drives a route: the terminal sees every stop in order and ends at the last one', async () => {
    const { pty, clock, position, stops } = await setup();
    const sim = await SimGps.open({ path: pty.a, source: { route: parseSimRoute(JSON.stringify(ROUTE)) }, rateHz: 10, logger: log });
    const { frames } = await sim.done;
    await vi.waitFor(() => expect(position.counters().rmc).toBe(frames), { timeout: 2000, interval: 20 });
    expect(position.counters()).toEqual({ lines: frames * 2, rmc: frames, gga: frames, bad: { checksum: 0, malformed: 0, unsupported: 0, overlong: 0 } });
    expect(stops).toEqual(['A', 'B', 'C']);
    const reading = position.current(clock.monoMs());
    expect(reading).toMatchObject({ stale: false, stopId: 'C', fix: { quality: 1, speedKmh: 0, satellites: 9 } });
    expect(reading.fix!.lat).toBeCloseTo(55.7502158, 7);
    expect(positionForTap(reading)).toMatchObject({ flag: 'OK', stopId: 'C', quality: 1 });
    expect(positionForTap(position.current(clock.monoMs() + 3001))).toMatchObject({ flag: 'STALE', stopId: null });
  }, 20_000);

  it('a corrupted real log replayed over the wire: counters by reason and the last good fix', async () => {
    const { pty, clock, position } = await setup();
    const epochs = parseNmeaLog(readFileSync(nmeaFixturePath('gpslim236-corrupted'), 'latin1'));
    const sim = await SimGps.open({ path: pty.a, source: { log: epochs }, rateHz: 50, logger: log });
    await sim.done;
    await vi.waitFor(() => expect(position.counters().lines).toBe(76), { timeout: 2000, interval: 20 });
    expect(position.counters()).toEqual({ lines: 76, rmc: 16, gga: 17, bad: { checksum: 1, malformed: 6, unsupported: 37, overlong: 1 } });
    const reading = position.current(clock.monoMs());
    expect(reading.fix).toMatchObject({ quality: 1, fixWallMs: Date.UTC(2006, 6, 21, 18, 53, 3) });
    expect(reading.stopId).toBeNull();
  }, 20_000);

  it('the receiver is unplugged and comes back: the reader reopens the port', async () => {
    const { pty, clock, position, reader } = await setup();
    await pty.kill();
    // Generous bounds: the hang-up reaches serialport through the poller, slow on a loaded machine.
    await vi.waitFor(() => expect(reader.isOpen).toBe(false), { timeout: 10_000, interval: 10 });
    await pty.restart();
    await vi.waitFor(() => expect(reader.reopens).toBe(1), { timeout: 10_000, interval: 10 });
    const sim = await SimGps.open({ path: pty.a, source: { route: parseSimRoute(JSON.stringify({ ...ROUTE, dwellS: 0 })) }, rateHz: 20, logger: log });
    await sim.done;
    await vi.waitFor(() => expect(position.current(clock.monoMs()).stopId).toBe('C'), { timeout: 5000, interval: 20 });
  }, 40_000);

  it('a port that cannot be opened is GPS_PORT_FAILURE', async () => {
    const reader = new SerialNmeaReader({ path: '/nonexistent/ttyGPS', sink: { feed: () => undefined }, log });
    const error: unknown = await reader.open().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(GpsError);
    expect(error).toMatchObject({ code: 'GPS_PORT_FAILURE', details: { path: '/nonexistent/ttyGPS' } });
  });
});
