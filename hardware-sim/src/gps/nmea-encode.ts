/**
 * NMEA 0183 sentence writer for the simulated receiver: RMC and GGA with correct checksums.
 * Written independently of the terminal's parser (hardware-sim must not import the terminal),
 * so the round-trip test in the terminal checks one against the other.
 */

export interface GpsSample {
  /** UTC instant of the fix, epoch ms. */
  readonly wallMs: number;
  readonly lat: number;
  readonly lon: number;
  readonly speedKmh: number;
  readonly courseDeg: number;
  /** GGA quality; 0 sends RMC status V and GGA quality 0 with empty position fields. */
  readonly quality: number;
  readonly satellites: number;
  readonly hdop: number;
  readonly altitudeM: number;
}

export type SimTalker = 'GP' | 'GN' | 'GL' | 'GA';

export const KNOTS_PER_KMH = 1 / 1.852;
/** Decimal places of the minutes field: 1e-5 minute is about 2 cm. */
export const MINUTE_DECIMALS = 5;

export function checksumHex(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) sum ^= body.charCodeAt(i);
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

export function sentence(body: string): string {
  return `$${body}*${checksumHex(body)}`;
}

/** Degrees → [ddmm.mmmmm | dddmm.mmmmm, hemisphere], rounding in minute units so 59.999999' never prints as 60'. */
export function formatCoordinate(value: number, axis: 'lat' | 'lon'): [string, string] {
  const scale = 10 ** MINUTE_DECIMALS;
  const units = Math.round(Math.abs(value) * 60 * scale);
  const degrees = Math.floor(units / (60 * scale));
  const minutes = (units - degrees * 60 * scale) / scale;
  const dd = String(degrees).padStart(axis === 'lat' ? 2 : 3, '0');
  const mm = minutes.toFixed(MINUTE_DECIMALS).padStart(MINUTE_DECIMALS + 3, '0');
  const hemisphere = axis === 'lat' ? (value < 0 ? 'S' : 'N') : value < 0 ? 'W' : 'E';
  return [dd + mm, hemisphere];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** hhmmss.ss (hundredths, truncated) and ddmmyy of an epoch ms. */
export function formatUtc(wallMs: number): { time: string; date: string } {
  const d = new Date(wallMs);
  const hundredths = Math.floor(d.getUTCMilliseconds() / 10);
  return {
    time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(hundredths)}`,
    date: `${pad(d.getUTCDate())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCFullYear() % 100)}`,
  };
}

export function rmcSentence(s: GpsSample, talker: SimTalker = 'GP'): string {
  const { time, date } = formatUtc(s.wallMs);
  if (s.quality === 0) return sentence(`${talker}RMC,${time},V,,,,,,,${date},,,N`);
  const [lat, ns] = formatCoordinate(s.lat, 'lat');
  const [lon, ew] = formatCoordinate(s.lon, 'lon');
  const knots = (s.speedKmh * KNOTS_PER_KMH).toFixed(3);
  return sentence(`${talker}RMC,${time},A,${lat},${ns},${lon},${ew},${knots},${s.courseDeg.toFixed(2)},${date},,,A`);
}

export function ggaSentence(s: GpsSample, talker: SimTalker = 'GP'): string {
  const { time } = formatUtc(s.wallMs);
  if (s.quality === 0) return sentence(`${talker}GGA,${time},,,,,0,00,99.99,,M,,M,,`);
  const [lat, ns] = formatCoordinate(s.lat, 'lat');
  const [lon, ew] = formatCoordinate(s.lon, 'lon');
  const fields = [time, lat, ns, lon, ew, s.quality, pad(s.satellites), s.hdop.toFixed(1), s.altitudeM.toFixed(1), 'M', '14.5', 'M', '', ''];
  return sentence(`${talker}GGA,${fields.join(',')}`);
}
