import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createListVerifiers, signManifest } from '@rescard/shared';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { tempDir } from './list-fixtures.js';
import { loadOrCreateListSigningKey } from './list-keys.js';

function capture(): { log: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
  return { log: pino({ level: 'trace' }, sink), text: () => chunks.join('') };
}

describe('list signing key', () => {
  it('is made at first start (private key 0600), loaded afterwards, never logged', async () => {
    const dir = tempDir();
    const { log, text } = capture();
    const first = await loadOrCreateListSigningKey(dir, log);
    const again = await loadOrCreateListSigningKey(dir, log);
    expect(again.kid).toBe(first.kid);
    expect(first.kid).toMatch(/^list-\d{8}-[0-9a-f]{6}$/);
    expect(statSync(join(dir, 'keys', 'list-signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'keys', 'list-signing.pub'), 'utf8')).toBe(first.publicKeyPem);
    const manifest = {
      format: 1 as const, list: 'stoplist' as const, audience: 'region', version: 1, baseVersion: null, sha256: '0'.repeat(64),
      kid: first.kid, issuedAt: '2025-09-01T00:00:00Z', expiresAt: '2025-09-02T00:00:00Z', count: 0,
    };
    // What one start signs, the exported public key (what devices pin) verifies after a restart.
    expect(signManifest(manifest, again.signer)).toBe(signManifest(manifest, first.signer));
    expect(createListVerifiers({ [first.kid]: first.publicKeyPem }).size).toBe(1);
    expect(text()).toContain(first.kid);
    expect(text()).not.toMatch(/PRIVATE KEY|list-signing\.key/);
  });

  it('narrows a private key left readable by others to 0600', async () => {
    const dir = tempDir();
    const { log, text } = capture();
    await loadOrCreateListSigningKey(dir, log);
    chmodSync(join(dir, 'keys', 'list-signing.key'), 0o644);
    await loadOrCreateListSigningKey(dir, log);
    expect(statSync(join(dir, 'keys', 'list-signing.key')).mode & 0o777).toBe(0o600);
    expect(text()).toMatch(/readable by others/);
  });
});
