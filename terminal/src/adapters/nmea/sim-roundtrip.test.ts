/**
 * The simulated receiver (hardware-sim, its own encoder) against the terminal's parser: every
 * generated sentence parses back to the sample it came from, and the stops come out in order.
 */
import { describe, expect, it } from 'vitest';
import { driveRoute, ggaSentence, lapFrames, parseSimRoute, rmcSentence, type SimRoute, type SimTalker } from '@rescard/hardware-sim';
import type { Route } from '../../core/stops/stops.js';
import { FakeClock } from '../../ports/clock.js';
import { parseSentence } from '../../protocol/nmea/sentence.js';
import { NmeaPosition } from './nmea-position.js';

/** One route file serves both sides: the sim reads speed and dwell, the terminal radiusM. */
const MOSCOW = {
  id: '12',
  speedKmh: 40,
  dwellS: 3,
  stops: [
    { id: 'depot', lat: 55.7446, lon: 37.6057, radiusM: 30 },
    { id: 'school-14', lat: 55.7468, lon: 37.6102, radiusM: 30, speedKmh: 25 },
    { id: 'hospital', lat: 55.7491, lon: 37.6088, radiusM: 30, speedKmh: 18.52 },
  ],
};
/** Southern and western hemispheres (Buenos Aires). */
const BUENOS_AIRES = {
  id: '60',
  stops: [
    { id: 'plaza', lat: -34.6083, lon: -58.3712, radiusM: 30 },
    { id: 'retiro', lat: -34.5912, lon: -58.3747, radiusM: 30 },
  ],
};
const START = Date.UTC(2026, 8, 1, 7, 0);

const simRoute = (file: object): SimRoute => parseSimRoute(JSON.stringify(file));

describe('sim → terminal round trip', () => {
  it.each<[SimTalker, object]>([
    ['GP', MOSCOW],
    ['GN', MOSCOW],
    ['GL', BUENOS_AIRES],
    ['GA', BUENOS_AIRES],
  ])('talker %s: each RMC and GGA parses back to its sample', (talker, file) => {
    let checked = 0;
    for (const { sample } of driveRoute(simRoute(file), { rateHz: 5, startWallMs: START })) {
      const rmc = parseSentence(rmcSentence(sample, talker));
      const gga = parseSentence(ggaSentence(sample, talker));
      if (!rmc.ok || rmc.sentence.type !== 'RMC' || !gga.ok || gga.sentence.type !== 'GGA') throw new Error('sim sentence rejected');
      expect(rmc.sentence).toMatchObject({ talker, valid: true, utcMs: Math.floor(sample.wallMs / 10) * 10 });
      expect(Math.abs(rmc.sentence.position!.lat - sample.lat)).toBeLessThan(1e-7);
      expect(Math.abs(rmc.sentence.position!.lon - sample.lon)).toBeLessThan(1e-7);
      expect(Math.abs(rmc.sentence.speedKmh! - sample.speedKmh)).toBeLessThan(0.001);
      expect(Math.abs(rmc.sentence.courseDeg! - sample.courseDeg)).toBeLessThan(0.005);
      expect(gga.sentence).toMatchObject({ talker, quality: 1, satellites: 9, hdop: 0.9, altitudeM: 150, position: rmc.sentence.position });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('fed to NmeaPosition on virtual time: the stops come out in route order, the last fix is the last stop', () => {
    const clock = new FakeClock(START, 0);
    const route: Route = { id: MOSCOW.id, stops: MOSCOW.stops };
    const position = new NmeaPosition({ clock, maxAgeMs: 3000, route });
    const seen: string[] = [];
    let frames = 0;
    for (const frame of lapFrames({ source: { route: simRoute(MOSCOW) }, rateHz: 1, startWallMs: START }, 0)) {
      clock.advance(frame.atMs - clock.monoMs());
      position.feed(frame.bytes);
      frames += 1;
      const stopId = position.current(clock.monoMs()).stopId;
      if (stopId !== null && seen.at(-1) !== stopId) seen.push(stopId);
    }
    expect(seen).toEqual(['depot', 'school-14', 'hospital']);
    expect(position.counters()).toEqual({ lines: frames * 2, rmc: frames, gga: frames, bad: { checksum: 0, malformed: 0, unsupported: 0, overlong: 0 } });
    const last = position.current(clock.monoMs());
    expect(last).toMatchObject({ stale: false, stopId: 'hospital', fix: { speedKmh: 0, quality: 1 } });
    expect(last.fix!.lat).toBeCloseTo(55.7491, 7);
    expect(last.fix!.lon).toBeCloseTo(37.6088, 7);
  });
});
