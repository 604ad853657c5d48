/**
 * NMEA 0183 checksum: the XOR of every character between '$' (or '!') and '*', written as two
 * hexadecimal digits after the '*' (NMEA 0183 v4.11 §5.2.1; mandatory for RMC and GGA).
 */

/** XOR of the char codes of `body` (the text between the start delimiter and '*'). */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) sum ^= body.charCodeAt(i);
  return sum & 0xff;
}

/** `$` + body + `*HH` (upper-case hex), without the line ending. */
export function withChecksum(body: string): string {
  return `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
}
