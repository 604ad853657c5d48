import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import { canonicalManifestBytes, canonicalManifestJson, parseDevManifest, parseManifest } from './manifest.js';
import { GOLDEN_MANIFEST } from './test-fixtures.js';

const GOLDEN_JSON =
  '{"format":1,"list":"stoplist","audience":"region","version":42,"baseVersion":41,' +
  '"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","kid":"ru-77-2025a",' +
  '"issuedAt":"2025-09-01T03:00:00Z","expiresAt":"2025-09-02T03:00:00Z","count":0}';

function refusal(value: unknown, dev = false): RescardError {
  try {
    if (dev) parseDevManifest(value);
    else parseManifest(value);
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('manifest was accepted');
}

describe('canonical manifest bytes (golden)', () => {
  it('are the ten fields in fixed order, no whitespace', () => {
    expect(canonicalManifestJson(GOLDEN_MANIFEST)).toBe(GOLDEN_JSON);
    expect(canonicalManifestBytes(GOLDEN_MANIFEST).toString('hex')).toBe(Buffer.from(GOLDEN_JSON, 'utf8').toString('hex'));
  });

  it('do not depend on the order or spacing of the input', () => {
    const shuffled = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(GOLDEN_MANIFEST).reverse()), null, 2)) as unknown;
    expect(canonicalManifestJson(parseManifest(shuffled))).toBe(GOLDEN_JSON);
  });

  it('a snapshot has baseVersion null; a school list names its school', () => {
    const m = parseManifest({ ...GOLDEN_MANIFEST, list: 'roster', audience: 'school:S-1', baseVersion: null });
    expect(canonicalManifestJson(m)).toContain('"audience":"school:S-1","version":42,"baseVersion":null,');
  });
});

describe('parseManifest refuses, naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown list', { list: 'whitelist' }, 'list'],
    ['list as number', { list: 1 }, 'list'],
    ['format 2', { format: 2 }, 'format'],
    ['version 0', { version: 0 }, 'version'],
    ['version 1.5', { version: 1.5 }, 'version'],
    ['version as string', { version: '42' }, 'version'],
    ['version unsafe', { version: 2 ** 53 }, 'version'],
    ['baseVersion = version', { baseVersion: 42 }, 'baseVersion'],
    ['baseVersion > version', { baseVersion: 43 }, 'baseVersion'],
    ['baseVersion 0', { baseVersion: 0 }, 'baseVersion'],
    ['sha256 uppercase', { sha256: GOLDEN_MANIFEST.sha256.toUpperCase() }, 'sha256'],
    ['sha256 short', { sha256: 'abcd' }, 'sha256'],
    ['kid with a space', { kid: 'a b' }, 'kid'],
    ['issuedAt not UTC', { issuedAt: '2025-09-01T03:00:00+03:00' }, 'issuedAt'],
    ['issuedAt impossible date', { issuedAt: '2025-02-30T00:00:00Z' }, 'issuedAt'],
    ['expiresAt as epoch ms', { expiresAt: 1756782000000 }, 'expiresAt'],
    ['expiresAt = issuedAt', { expiresAt: GOLDEN_MANIFEST.issuedAt }, 'expiresAt'],
    ['expiresAt < issuedAt', { expiresAt: '2025-08-31T03:00:00Z' }, 'expiresAt'],
    ['count negative', { count: -1 }, 'count'],
    ['count null', { count: null }, 'count'],
    ['stoplist for a school', { audience: 'school:S1' }, 'audience'],
    ['roster for the region', { list: 'roster', audience: 'region' }, 'audience'],
    ['school without id', { list: 'canteen', audience: 'school:' }, 'audience'],
    ['unknown field', { extra: true }, 'extra'],
  ];
  it.each(cases)('%s', (_name, change, field) => {
    const err = refusal({ ...GOLDEN_MANIFEST, ...change });
    expect(err.code).toBe('LIST_FILE_INVALID');
    expect(err.details).toMatchObject({ reason: 'manifest', field });
    expect(err.message).toContain(`"${field}"`);
  });

  it('a missing field, a non-object', () => {
    const { kid: _kid, ...noKid } = GOLDEN_MANIFEST;
    expect(refusal(noKid).details).toMatchObject({ field: 'kid' });
    expect(refusal([GOLDEN_MANIFEST]).code).toBe('LIST_FILE_INVALID');
    expect(refusal(null).code).toBe('LIST_FILE_INVALID');
  });

  it('a dev manifest may omit sha256, kid and count, nothing else', () => {
    const { sha256: _s, kid: _k, count: _c, ...bare } = GOLDEN_MANIFEST;
    expect(parseDevManifest(bare)).toEqual(bare);
    const { version: _v, ...noVersion } = bare;
    expect(refusal(noVersion, true).details).toMatchObject({ field: 'version' });
    expect(refusal(bare).details).toMatchObject({ field: 'sha256' });
  });
});
