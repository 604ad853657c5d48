/**
 * Merges the RMC and GGA of one receiver epoch (same UTC time of day) into the last Fix. Pure:
 * the receive instant is passed in.
 *
 * - RMC makes the fix (it alone has the date, so the fix's wall time, and the speed); a GGA of
 *   the same epoch adds quality, satellites and HDOP, in either order. A GGA-only receiver
 *   gives no fix: configure it to send RMC.
 * - Any sentence of the newest epoch that says "no fix" (RMC V or a non-fix mode, GGA quality
 *   0 or 6-8) clears the fix at once: the tap gets NO_FIX, not the old position.
 * - A valid GGA alone does not refresh the fix: the age keeps growing until its RMC arrives.
 */
import { isMeasuredQuality, type GgaSentence, type NmeaSentence, type RmcSentence } from '../../protocol/nmea/types.js';
import type { Fix, ReceivedFix } from '../../ports/position.js';

interface Epoch {
  readonly timeOfDayMs: number | null;
  readonly monoMs: number;
  rmc: RmcSentence | null;
  gga: GgaSentence | null;
}

/** Quality implied by an RMC mode when no GGA of the epoch is seen. */
const QUALITY_BY_MODE: Readonly<Record<string, number>> = { A: 1, D: 2, P: 3, R: 4, F: 5 };

export class FixTracker {
  private epoch: Epoch | null = null;
  private last: ReceivedFix | null = null;

  accept(sentence: NmeaSentence, monoMs: number): void {
    const epoch = this.epochFor(sentence.timeOfDayMs, monoMs);
    if (sentence.type === 'RMC') epoch.rmc = sentence;
    else epoch.gga = sentence;
    this.evaluate(epoch);
  }

  latest(): ReceivedFix | null {
    return this.last;
  }

  private epochFor(timeOfDayMs: number | null, monoMs: number): Epoch {
    const current = this.epoch;
    if (current !== null && timeOfDayMs !== null && current.timeOfDayMs === timeOfDayMs) return current;
    this.epoch = { timeOfDayMs, monoMs, rmc: null, gga: null };
    return this.epoch;
  }

  private evaluate(epoch: Epoch): void {
    const { rmc, gga } = epoch;
    if ((rmc !== null && !rmc.valid) || (gga !== null && !isMeasuredQuality(gga.quality))) {
      this.last = null;
      return;
    }
    if (rmc === null) return;
    const fix = fixFrom(rmc, gga);
    if (fix !== null) this.last = { fix, receivedMonoMs: epoch.monoMs };
  }
}

function fixFrom(rmc: RmcSentence, gga: GgaSentence | null): Fix | null {
  if (rmc.position === null || rmc.speedKmh === null || rmc.utcMs === null) return null; // decodeRmc guarantees these when valid
  const quality = gga?.quality ?? QUALITY_BY_MODE[rmc.mode ?? 'A'] ?? 1;
  return {
    lat: rmc.position.lat,
    lon: rmc.position.lon,
    speedKmh: rmc.speedKmh,
    quality,
    fixWallMs: rmc.utcMs,
    ...(rmc.courseDeg !== null ? { courseDeg: rmc.courseDeg } : {}),
    ...(gga?.satellites != null ? { satellites: gga.satellites } : {}),
    ...(gga?.hdop != null ? { hdop: gga.hdop } : {}),
  };
}
