/**
 * One NMEA 0183 line (without its CR LF) → a decoded RMC/GGA sentence, or the reason it is not
 * used: `checksum` (the '*HH' does not match), `malformed` (not a well-formed sentence, or a
 * field out of range), `unsupported` (well-formed and checksummed, but another talker, another
 * sentence type, a proprietary '$P…' sentence or AIS '!'). Pure; never throws.
 */
import { nmeaChecksum } from './checksum.js';
import { decodeGga } from './gga.js';
import { decodeRmc } from './rmc.js';
import { TALKERS, type ParseResult, type Talker } from './types.js';

/** NMEA 0183 §5.3: at most 82 characters including '$' and CR LF. Longer lines are tolerated
 * up to the framer's bound (some receivers exceed 82 in proprietary sentences). */
export const NMEA_MAX_SENTENCE_CHARS = 82;

const PRINTABLE = /^[\x20-\x7e]*$/;
const ADDRESS = /^[A-Z0-9]{5}$/;

function bad(reason: 'checksum' | 'malformed' | 'unsupported', detail: string): ParseResult {
  return { ok: false, reason, detail };
}

export function parseSentence(line: string): ParseResult {
  if (!PRINTABLE.test(line)) return bad('malformed', 'non-printable characters');
  const start = line[0];
  if (start !== '$' && start !== '!') return bad('malformed', 'does not start with $ or !');
  const star = line.length - 3;
  if (star < 1 || line[star] !== '*' || !/^[0-9A-Fa-f]{2}$/.test(line.slice(star + 1))) {
    return bad('malformed', 'no *HH checksum at the end');
  }
  const body = line.slice(1, star);
  if (body.includes('$') || body.includes('*')) return bad('malformed', 'delimiter inside the sentence');
  if (nmeaChecksum(body) !== parseInt(line.slice(star + 1), 16)) return bad('checksum', 'checksum mismatch');
  if (start === '!') return bad('unsupported', 'encapsulated sentence (AIS)');
  const fields = body.split(',');
  const address = fields[0] ?? '';
  if (address.startsWith('P')) return bad('unsupported', `proprietary ${address}`);
  if (!ADDRESS.test(address)) return bad('malformed', `address '${address}'`);
  const talker = address.slice(0, 2);
  const type = address.slice(2);
  if (type !== 'RMC' && type !== 'GGA') return bad('unsupported', `sentence ${address}`);
  if (!isTalker(talker)) return bad('unsupported', `talker ${talker}`);
  const decoded = type === 'RMC' ? decodeRmc(talker, fields) : decodeGga(talker, fields);
  return 'malformed' in decoded ? bad('malformed', decoded.malformed) : { ok: true, sentence: decoded };
}

function isTalker(value: string): value is Talker {
  return (TALKERS as readonly string[]).includes(value);
}
