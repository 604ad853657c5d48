import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsPath, EMPTY_CREDENTIALS, forgetSession, readCredentials, resolveConnection, saveSession, type CredentialsFile } from './credentials.js';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rescard-cred-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const A = 'https://a.example:8080';
const B = 'https://b.example';
const file: CredentialsFile = {
  version: 1, default: A,
  servers: { [A]: { token: 'file-a', username: 'anna', expiresAt: null, savedAt: '2025-09-03T00:00:00Z' }, [B]: { token: 'file-b', username: 'anna', expiresAt: null, savedAt: '2025-09-03T00:00:00Z' } },
};

describe('which server and token a command uses', () => {
  it('token: flag over RESCARD_TOKEN over the saved login', () => {
    expect(resolveConnection({ flagToken: 'flag' }, { RESCARD_TOKEN: 'env' }, file)).toEqual({ server: A, token: 'flag', tokenSource: 'flag' });
    expect(resolveConnection({}, { RESCARD_TOKEN: 'env' }, file)).toEqual({ server: A, token: 'env', tokenSource: 'env' });
    expect(resolveConnection({}, {}, file)).toEqual({ server: A, token: 'file-a', tokenSource: 'file' });
    expect(resolveConnection({}, { RESCARD_TOKEN: '' }, file).tokenSource).toBe('file');
  });

  it('server: flag over RESCARD_SERVER over the last login; the saved token is the one for that server only', () => {
    expect(resolveConnection({ flagServer: `${B}/` }, { RESCARD_SERVER: A }, file)).toEqual({ server: B, token: 'file-b', tokenSource: 'file' });
    expect(resolveConnection({}, { RESCARD_SERVER: 'http://c.example' }, file)).toEqual({ server: 'http://c.example', token: null, tokenSource: 'none' });
  });

  it('no server anywhere, or not an http(s) URL, is a usage error (exit 2)', () => {
    expect(() => resolveConnection({}, {}, EMPTY_CREDENTIALS)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/no server/) }));
    expect(() => resolveConnection({ flagServer: 'ftp://x' }, {}, EMPTY_CREDENTIALS)).toThrow(/not http: or https:/);
    expect(() => resolveConnection({ flagServer: 'https://u:p@x' }, {}, EMPTY_CREDENTIALS)).toThrow(/no user or password/);
  });
});

describe('the credentials file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x' }, '/home/a')).toBe('/x/rescard/credentials.json');
    expect(credentialsPath({}, '/home/a')).toBe('/home/a/.config/rescard/credentials.json');
  });

  it('is written 0600 in a 0700 folder even under a permissive umask, keeps other servers, and forgets one', async () => {
    const path = join(temp(), 'cfg', 'rescard', 'credentials.json');
    const umask = process.umask(0o000);
    try {
      await saveSession(path, A, { token: 't-a', username: 'anna', expiresAt: null, savedAt: 'now' });
      await saveSession(path, B, { token: 't-b', username: 'oleg', expiresAt: '2099-01-01T00:00:00Z', savedAt: 'now' });
    } finally {
      process.umask(umask);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    const { file: saved, looseMode } = await readCredentials(path);
    expect(looseMode).toBe(false);
    expect(saved.default).toBe(B);
    expect(Object.keys(saved.servers).sort()).toEqual([A, B]);
    expect(await forgetSession(path, B)).toBe(true);
    const after = (await readCredentials(path)).file;
    expect(after.default).toBeNull();
    expect(Object.keys(after.servers)).toEqual([A]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a missing file is empty; a readable-by-others one is flagged; a broken one is a usage error', async () => {
    const dir = temp();
    expect((await readCredentials(join(dir, 'none.json'))).file).toEqual(EMPTY_CREDENTIALS);
    const loose = join(dir, 'loose.json');
    writeFileSync(loose, JSON.stringify(file));
    chmodSync(loose, 0o644);
    expect((await readCredentials(loose)).looseMode).toBe(true);
    mkdirSync(join(dir, 'bad'));
    const bad = join(dir, 'bad', 'credentials.json');
    writeFileSync(bad, '{"version":2}');
    await expect(readCredentials(bad)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/not a rescard credentials file/) });
  });
});
