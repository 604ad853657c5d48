/**
 * Test fixtures of the registries (tests only): temp data folders, a real list service on one,
 * a card-token keyring, Luhn-valid test PANs, captured logs, virtual time, a signed-file reader
 * and a search of a whole folder for card numbers.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  ListFileReader, TokenKeyring, createListVerifiers, generateListSigningKey, verifyManifestSignature, type ListFileRecord, type ListManifest,
} from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { afterAll } from 'vitest';
import { createListService, type ListService } from '../lists/index.js';

export const LIST_KEY = generateListSigningKey('reg-test');
export const VERIFIERS = createListVerifiers({ [LIST_KEY.signer.kid]: LIST_KEY.publicKeyPem });
export const KEYRING = TokenKeyring.fromConfig({ primaryKid: 'reg-t1', keys: [{ kid: 'reg-t1', keyHex: '5a'.repeat(15) + '0123456789abcdef'.repeat(2) + '00' }] });
export const T0 = Date.parse('2025-09-03T09:00:00Z');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rescard-registry-'));
  dirs.push(d);
  return d;
}

export class TestClock {
  constructor(public now = T0) {}
  wallMs = (): number => this.now;
}

/** Every log line, as text, at trace level: what a PAN search must not find. */
export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'trace' }, sink), lines };
}

export async function listService(dataDir: string, log: Logger, clock: { wallMs(): number } = new TestClock()): Promise<ListService> {
  return createListService({ dataDir, signer: LIST_KEY.signer, publish: () => Promise.resolve(), clock, log, freshnessIntervalMs: 3600_000, freshnessTtlMs: 7200_000 });
}

/** A Luhn-valid 16-digit Mir test PAN, distinct per i. */
export function testPan(i: number, prefix = '2200770'): string {
  const body = `${prefix}${String(i).padStart(15 - prefix.length, '0')}`;
  let sum = 0;
  for (let k = 0; k < body.length; k += 1) {
    let d = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export const panToken = (pan: string): string => KEYRING.panToken(pan).token;

/** The newest signed snapshot of (list, audience) in the data folder, signature verified. */
export async function readSnapshot(service: ListService, list: string, audience: string): Promise<{ manifest: ListManifest; records: ListFileRecord[] }> {
  await service.flush();
  const dir = join(service.filesDir, audience, list);
  const files = readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort((a, b) => Number(/\d+/.exec(b)?.[0]) - Number(/\d+/.exec(a)?.[0]));
  const reader = await ListFileReader.open(join(dir, files[0] ?? 'missing'));
  try {
    if (reader.header.dev) throw new Error('dev file');
    verifyManifestSignature(reader.header.manifest, reader.header.signature, VERIFIERS);
    const records: ListFileRecord[] = [];
    for await (const { record } of reader.records()) records.push(record);
    return { manifest: reader.header.manifest, records };
  } finally {
    await reader.close();
  }
}

export const recordTokens = (records: readonly ListFileRecord[]): string[] => records.map((r) => ('token' in r.card ? r.card.token : '?')).sort();

/** Files under `dir` (recursively) whose bytes contain any of `needles` (as UTF-8). */
export function filesContaining(dir: string, needles: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        if (needles.some((n) => bytes.includes(Buffer.from(n, 'utf8')))) found.push(p);
      }
    }
  };
  walk(dir);
  return found;
}

/** The body in chunks of `size` bytes, as a socket delivers it (multi-byte characters split). */
export async function* chunks(text: string | Buffer, size = 4096): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < buf.length; i += size) yield await Promise.resolve(buf.subarray(i, i + size));
}
