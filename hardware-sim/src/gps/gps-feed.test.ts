/** The send loop and log replay on virtual time. */
import { describe, expect, it } from 'vitest';
import { runFeed, type FeedIo } from './gps-feed.js';
import { logFrames, MAX_GAP_MS, parseNmeaLog } from './nmea-log.js';
import type { SimRoute } from './sim-route.js';

// Excerpt of gpsd test/daemon/bu353-glonass.log (BSD-2-Clause) with a header and a corrupted line.
const LOG = [
  '# header',
  '$GNRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A*74',
  '$GPZDA,081411.000,26,05,2014,,*5D',
  '$GPGGA,081412.000,5541.1956,N,03737.2877,E,1,5,4.87,66.2,M,14.5,M,,*6A',
  '$GNGSA,A,3,03,19,27,13,,,,,,,,,4.97,4.87,1.00*10',
  '\u00ff\u0000noise',
  '$GNRMC,081412.000,A,5541.1956,N,03737.2877,E,0.52,301.26,260514,,,A*7F',
  '$GPGGA,081420.000,,,,,0,0,,,M,,M,,*47',
  '',
].join('\r\n');

/** Virtual time: sleep advances the clock; writes are recorded with their time. */
function virtualIo(abortAfterWrites = Infinity, abort?: AbortController) {
  let now = 0;
  const writes: { at: number; text: string }[] = [];
  const io: FeedIo = {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    write: (bytes) => {
      writes.push({ at: now, text: bytes.toString('latin1') });
      if (writes.length >= abortAfterWrites) abort?.abort();
      return Promise.resolve();
    },
  };
  return { io, writes };
}

describe('NMEA log replay', () => {
  it('groups lines into epochs by UTC time, keeps corrupted bytes, skips comments', () => {
    const epochs = parseNmeaLog(LOG);
    expect(epochs.map((e) => [e.timeOfDayMs, e.lines.length])).toEqual([
      [29_651_000, 2],
      [29_652_000, 4],
      [29_660_000, 1],
    ]);
    expect(epochs[1]!.lines[2]).toEqual(Buffer.from([0xff, 0x00, ...Buffer.from('noise')]));
  });

  it('paces epochs by the log time (gaps capped) or by a fixed rate', () => {
    const epochs = parseNmeaLog(LOG);
    expect([...logFrames(epochs)].map((f) => f.atMs)).toEqual([0, 1000, 1000 + MAX_GAP_MS]);
    expect([...logFrames(epochs, { rateHz: 10 })].map((f) => f.atMs)).toEqual([0, 100, 200]);
    expect([...logFrames(epochs)][0]!.bytes.toString('latin1')).toBe(`${LOG.split('\r\n')[1]}\r\n${LOG.split('\r\n')[2]}\r\n`);
  });

  it('runFeed writes each epoch at its time', async () => {
    const { io, writes } = virtualIo();
    const summary = await runFeed({ source: { log: parseNmeaLog(LOG) }, startWallMs: 0 }, io, new AbortController().signal);
    expect(summary).toEqual({ frames: 3, laps: 1 });
    expect(writes.map((w) => w.at)).toEqual([0, 1000, 6000]);
  });
});

describe('route feed', () => {
  const route: SimRoute = {
    id: 'r',
    stops: [
      { id: 'a', lat: 55.75, lon: 37.6, speedKmh: 36, dwellS: 1 },
      { id: 'b', lat: 55.7501, lon: 37.6, speedKmh: 36, dwellS: 1 },
    ],
  };

  it('sends RMC then GGA per sample, at rateHz', async () => {
    const { io, writes } = virtualIo();
    const summary = await runFeed({ source: { route }, rateHz: 4, startWallMs: Date.UTC(2026, 0, 1), talker: 'GN' }, io, new AbortController().signal);
    expect(summary.laps).toBe(1);
    expect(writes[1]!.at).toBe(250);
    expect(writes[0]!.text).toMatch(/^\$GNRMC,000000\.00,A,5545\.00000,N,03736\.00000,E,0\.000,0\.00,010126,,,A\*[0-9A-F]{2}\r\n\$GNGGA,000000\.00,/);
  });

  it('--loop runs lap after lap with time going on, until aborted', async () => {
    const abort = new AbortController();
    const { io, writes } = virtualIo(40, abort);
    const summary = await runFeed({ source: { route }, rateHz: 4, loop: true, startWallMs: 0 }, io, abort.signal);
    expect(summary.frames).toBe(40);
    expect(summary.laps).toBeGreaterThan(1);
    const times = writes.map((w) => w.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(new Set(times).size).toBe(times.length);
  });
});
