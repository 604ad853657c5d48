import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from './password.js';

const FAST = { ln: 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('stores the parameters with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('uses N=2^15, r=8, p=3 by default (an OWASP setting) and verifies it', async () => {
    expect(DEFAULT_SCRYPT_COST).toEqual({ ln: 15, r: 8, p: 3 });
    const h = await hashPassword('a long passphrase', DEFAULT_SCRYPT_COST);
    expect(h.startsWith('$scrypt$ln=15,r=8,p=3$')).toBe(true);
    expect(await verifyPassword('a long passphrase', h)).toBe(true);
  });

  it('still verifies a hash made with weaker parameters, and says it needs a re-hash', async () => {
    const old = await hashPassword('old password here', FAST);
    expect(await verifyPassword('old password here', old)).toBe(true);
    expect(needsRehash(old, DEFAULT_SCRYPT_COST)).toBe(true);
    expect(needsRehash(old, FAST)).toBe(false);
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    for (const bad of ['', 'plain', '$scrypt$ln=10,r=8,p=1$AAAA$', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA']) {
      expect(await verifyPassword('x', bad), bad).toBe(false);
      expect(needsRehash(bad), bad).toBe(true);
    }
  });
});
