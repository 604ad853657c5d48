/** NmeaLineFramer: chunking, line endings, the buffer bound and resync. */
import { describe, expect, it } from 'vitest';
import { nmeaFixture, nmeaFixtureLines } from './fixtures/nmea-fixtures.js';
import { NmeaLineFramer } from './line-framer.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('NmeaLineFramer', () => {
  it('a real log gives the same lines whether it arrives whole, byte by byte or in odd chunks', () => {
    const log = nmeaFixture('bu353-glonass');
    const expected = nmeaFixtureLines('bu353-glonass');
    expect(new NmeaLineFramer().push(log)).toEqual(expected);
    const byByte = new NmeaLineFramer();
    expect([...log].flatMap((b) => byByte.push(Uint8Array.of(b)))).toEqual(expected);
    const odd = new NmeaLineFramer();
    const chunks: string[] = [];
    for (let i = 0, size = 1; i < log.length; i += size, size = (size * 7 + 3) % 97) chunks.push(...odd.push(log.subarray(i, i + size)));
    expect(chunks).toEqual(expected);
  });

  it('two sentences in one chunk, a sentence split across chunks, CR LF, LF and CR endings', () => {
    const f = new NmeaLineFramer();
    expect(f.push(bytes('$A*00\r\n$B*00\n$C'))).toEqual(['$A*00', '$B*00']);
    expect(f.push(bytes('D*00\r'))).toEqual(['$CD*00']);
    expect(f.push(bytes('\n\r\n\n'))).toEqual([]);
  });

  it('drops an over-long line whole, counts it, and reads the next line normally', () => {
    const f = new NmeaLineFramer(32);
    const long = `$GPTXT,${'x'.repeat(40)}*00`;
    expect(f.push(bytes(`${long.slice(0, 20)}`))).toEqual([]);
    expect(f.push(bytes(`${long.slice(20)}\r\n$OK*00\r\n`))).toEqual(['$OK*00']);
    expect(f.overlong).toBe(1);
    expect(f.push(bytes(`${'y'.repeat(32)}\n`))).toEqual(['y'.repeat(32)]); // exactly the bound fits
    expect(f.overlong).toBe(1);
  });

  it('an endless stream without line ends never grows the buffer', () => {
    const f = new NmeaLineFramer(64);
    for (let i = 0; i < 1000; i += 1) expect(f.push(Buffer.alloc(1024, 0x41))).toEqual([]);
    expect(f.overlong).toBe(1);
    expect(f.push(bytes('\n$GPGGA*00\n'))).toEqual(['$GPGGA*00']);
  });

  it('resyncs on the last sentence start of a line and counts it', () => {
    const f = new NmeaLineFramer();
    expect(f.push(bytes('\u00ff\u0013junk$GPRMC,1*00\r\n$GPGGA,18$GPRMC,2*00\r\nnoise\r\n'))).toEqual(['$GPRMC,1*00', '$GPRMC,2*00', 'noise']);
    expect(f.resynced).toBe(2);
  });

  it('refuses a bound too small to hold a sentence', () => {
    expect(() => new NmeaLineFramer(8)).toThrow(RangeError);
  });
});
