/** Decoded NMEA 0183 sentences: only what the bus terminal uses (RMC, GGA). */

/** Talker ids accepted: GPS, multi-constellation, GLONASS, Galileo. */
export const TALKERS = ['GP', 'GN', 'GL', 'GA'] as const;
export type Talker = (typeof TALKERS)[number];

/** Why a line was not used. `overlong` is counted by the line framer, before parsing. */
export type BadReason = 'checksum' | 'malformed' | 'unsupported';

export interface Coordinates {
  readonly lat: number;
  readonly lon: number;
}

/** RMC: recommended minimum (time, date, status, position, speed, course). */
export interface RmcSentence {
  readonly type: 'RMC';
  readonly talker: Talker;
  /** ms since UTC midnight, or null when the receiver sent no time. */
  readonly timeOfDayMs: number | null;
  /** Date + time as epoch ms (the fix's wall time); null without date or time. */
  readonly utcMs: number | null;
  /** Status A and a positioning mode that is a real fix (not N, E, M, S). */
  readonly valid: boolean;
  readonly status: 'A' | 'V';
  /** NMEA 2.3+ mode indicator (A, D, E, F, M, N, P, R, S), null before 2.3. */
  readonly mode: string | null;
  readonly position: Coordinates | null;
  readonly speedKmh: number | null;
  readonly courseDeg: number | null;
}

/** GGA: fix data (time, position, quality, satellites, HDOP, altitude). */
export interface GgaSentence {
  readonly type: 'GGA';
  readonly talker: Talker;
  readonly timeOfDayMs: number | null;
  /** 0 invalid, 1 GPS, 2 DGPS, 3 PPS, 4 RTK, 5 float RTK, 6 estimated, 7 manual, 8 simulation. */
  readonly quality: number;
  readonly position: Coordinates | null;
  readonly satellites: number | null;
  readonly hdop: number | null;
  readonly altitudeM: number | null;
}

export type NmeaSentence = RmcSentence | GgaSentence;

export type ParseResult =
  | { readonly ok: true; readonly sentence: NmeaSentence }
  | { readonly ok: false; readonly reason: BadReason; readonly detail: string };

/** Result of a field-level decoder: the sentence, or what is wrong with it (→ malformed). */
export type Decoded<T> = T | { readonly malformed: string };

/** GGA qualities that are a measured position (1-5); 6-8 are estimates, manual or simulated. */
export function isMeasuredQuality(quality: number): boolean {
  return quality >= 1 && quality <= 5;
}
