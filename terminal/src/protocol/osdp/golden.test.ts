/**
 * Golden files for the wire format (golden/*.json): encode(json) == hex and decode(hex) == json.
 * Four cases are the published SIA OSDP 2.2 Annex E check-character examples; the others were
 * produced by golden/independent_osdp.py, a separate Python implementation of 5.9 / Annex C / D.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from './command-decode.js';
import { encodeCommand, type OsdpCommand } from './commands.js';
import { decodeFrame, encodeFrame, type OsdpFrame } from './frame.js';
import { decodeReply } from './reply-decode.js';
import { encodeReply, type OsdpReply } from './replies.js';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const BYTE_FIELDS = new Set(['key', 'cpRandom', 'serverCryptogram', 'data', 'clientUid', 'pdRandom', 'clientCryptogram', 'rmacI']);

interface Golden {
  readonly name: string;
  readonly frame: { address: number; isReply: boolean; sqn: number; useCrc: boolean; scb?: { type: number; data: string } };
  readonly command?: Record<string, unknown>;
  readonly reply?: Record<string, unknown>;
  readonly hex: string;
}

/** JSON (hex strings) to message objects (Buffers), by field name. */
function revive(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && BYTE_FIELDS.has(key)) return Buffer.from(value, 'hex');
  if (Array.isArray(value)) return value.map((v) => revive(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, k)]));
  return value;
}

/** Message objects back to JSON shape (Buffers as uppercase hex). */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('hex').toUpperCase();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

const goldens: Golden[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(DIR + f, 'utf8')) as Golden);

describe('OSDP golden files', () => {
  it('has the golden set', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(28);
  });

  for (const golden of goldens) {
    it(`${golden.name}: encode(json) == hex, decode(hex) == json`, () => {
      const { scb, ...head } = golden.frame;
      const message = golden.command !== undefined ? encodeCommand(revive(golden.command) as OsdpCommand) : encodeReply(revive(golden.reply) as OsdpReply);
      const frame: OsdpFrame = { ...head, ...message, ...(scb === undefined ? {} : { scb: { type: scb.type, data: Buffer.from(scb.data, 'hex') } }) };
      expect(encodeFrame(frame).toString('hex').toUpperCase()).toBe(golden.hex);

      const decoded = decodeFrame(Buffer.from(golden.hex, 'hex'));
      expect({ address: decoded.address, isReply: decoded.isReply, sqn: decoded.sqn, useCrc: decoded.useCrc }).toEqual(head);
      expect(decoded.scb === undefined ? undefined : { type: decoded.scb.type, data: decoded.scb.data.toString('hex').toUpperCase() }).toEqual(scb);
      const body = golden.command !== undefined ? decodeCommand(decoded.code, decoded.data) : decodeReply(decoded.code, decoded.data);
      expect(plain(body)).toEqual(golden.command ?? golden.reply);
    });
  }
});
