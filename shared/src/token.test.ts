import { describe, it, expect } from 'vitest';
import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import { RescardError } from './errors.js';
import { panFromBcd, parseTrack2 } from './pan.js';
import { fromHex } from './hex.js';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, createTokenKeyring, type TokenKeyringConfig } from './token.js';

const MIR_PAN = '2200000000000004';
const MIR_PAR = 'M0010000000000000000000000001'; // 9F24 of mir-synthetic.apdu
const KEY_A = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_B = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff';
const KEY_C = '9999999999999999999999999999999999999999999999999999999999999998';

const oneKey: TokenKeyringConfig = { primaryKid: 'ru-77-2025a', keys: [{ kid: 'ru-77-2025a', keyHex: KEY_A }] };
const rotating: TokenKeyringConfig = {
  primaryKid: 'ru-77-2025b',
  keys: [
    { kid: 'ru-77-2025a', keyHex: KEY_A },
    { kid: 'ru-77-2025b', keyBase64: Buffer.from(KEY_B, 'hex').toString('base64') },
  ],
};

function refusal(config: unknown): RescardError {
  try {
    TokenKeyring.fromConfig(config as TokenKeyringConfig);
  } catch (err) {
    if (err instanceof RescardError) return err;
    throw err;
  }
  throw new Error('keyring was accepted');
}

describe('known answers, computed outside Node', () => {
  // Made with OpenSSL 3 in a shell (the dev key is the ASCII string below):
  //   printf '%s' 'rescard/pan/v1:2200000000000004' \
  //     | openssl dgst -sha256 -hmac 'rescard dev token key NOT SECRET' -r | cut -d' ' -f1 \
  //     | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '='
  it('dev key, PAN 2200000000000004', () => {
    const keyring = createTokenKeyring(DEV_TOKEN_KEYRING_CONFIG);
    expect(keyring.panToken(MIR_PAN)).toEqual({ kid: 'dev-1', token: 'uDSSTHWT9T2oHnscf9zAadoaP_wgazo60veAMMzhM5g' });
  });

  // Same pipeline with the message 'rescard/par/v1:M0010000000000000000000000001'.
  it('dev key, the synthetic Mir PAR', () => {
    const keyring = createTokenKeyring(DEV_TOKEN_KEYRING_CONFIG);
    expect(keyring.parToken(MIR_PAR).token).toBe('D103xt4rF47arm62A0cmogUjp-yVu7vYSjJHbq0jJ-o');
  });

  // openssl dgst -sha256 -mac HMAC -macopt hexkey:<KEY_A> over 'rescard/pan/v1:6726426572433735329'.
  it('binary key, the 19-digit girocard PAN read from 5A', () => {
    const pan = panFromBcd(fromHex('6726426572433735329F'));
    expect(createTokenKeyring(oneKey).panToken(pan).token).toBe('VzKGwJcJbOFSiJS7ThaoW9c-xq_lVewYnKVUFGQntcw');
  });
});

describe('tokenising a card', () => {
  const keyring = createTokenKeyring(oneKey);

  it('the same PAN always gives the same token, however it was written or read', () => {
    const fromTrack2 = parseTrack2(fromHex('2200000000000004D301220100000000000F')).pan;
    expect(keyring.panToken('2200 0000 0000 0004')).toEqual(keyring.panToken(MIR_PAN));
    expect(keyring.panToken(fromTrack2)).toEqual(keyring.panToken(MIR_PAN));
  });

  it('tokens are the full 32-byte MAC in base64url, and not a plain SHA-256', () => {
    const { token } = keyring.panToken(MIR_PAN);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).not.toBe(createHash('sha256').update(MIR_PAN).digest('base64url'));
    expect(token).not.toBe(createHash('sha256').update(`rescard/pan/v1:${MIR_PAN}`).digest('base64url'));
  });

  it('different PANs give different tokens', () => {
    expect(keyring.panToken(MIR_PAN).token).not.toBe(keyring.panToken('2200000000000012').token);
  });

  it('a PAR and a PAN with the same characters never share a token (domain separation)', () => {
    const digitsPar = '22000000000000040000000000000';
    expect(keyring.parToken(digitsPar).token).not.toBe(keyring.panToken('2200000000000004').token);
    expect(keyring.parToken(MIR_PAR.toLowerCase())).toEqual(keyring.parToken(MIR_PAR));
  });

  it('an invalid PAR is PAR_INVALID', () => {
    expect(() => keyring.parToken('M001')).toThrowError(expect.objectContaining({ code: 'PAR_INVALID' }) as Error);
    expect(() => keyring.parToken(`${MIR_PAR.slice(0, 28)}!`)).toThrowError(/29 alphanumeric/);
  });
});

describe('key rotation with two active kids', () => {
  const keyring = createTokenKeyring(rotating);

  it('new tokens use the primary kid; lookups get both kids, primary first', () => {
    expect(keyring.kids()).toEqual(['ru-77-2025b', 'ru-77-2025a']);
    expect(keyring.panToken(MIR_PAN).kid).toBe('ru-77-2025b');
    const all = keyring.panTokensAllKids(MIR_PAN);
    expect(all.map((t) => t.kid)).toEqual(['ru-77-2025b', 'ru-77-2025a']);
    expect(all[1]).toEqual(createTokenKeyring(oneKey).panToken(MIR_PAN));
    expect(keyring.parTokensAllKids(MIR_PAR)).toHaveLength(2);
  });

  it('a different kid (key) gives a different token for the same PAN', () => {
    const [b, a] = keyring.panTokensAllKids(MIR_PAN);
    expect(a!.token).not.toBe(b!.token);
  });
});

describe('refused keyrings are TOKEN_KEY_INVALID', () => {
  it.each<[string, unknown]>([
    ['three keys', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A }, { kid: 'b', keyHex: KEY_B }, { kid: 'c', keyHex: KEY_C }] }],
    ['no keys', { primaryKid: 'a', keys: [] }],
    ['no config at all', null],
    ['a 31-byte key', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A.slice(2) }] }],
    ['a short base64 key', { primaryKid: 'a', keys: [{ kid: 'a', keyBase64: 'c2hvcnQ=' }] }],
    ['an all-zero placeholder key', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: '00'.repeat(32) }] }],
    ['both keyHex and keyBase64', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A, keyBase64: 'AAAA' }] }],
    ['a key that is not hex', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: `${KEY_A.slice(1)}g` }] }],
    ['a kid with a slash', { primaryKid: 'a/b', keys: [{ kid: 'a/b', keyHex: KEY_A }] }],
    ['a kid over 32 characters', { primaryKid: 'k'.repeat(33), keys: [{ kid: 'k'.repeat(33), keyHex: KEY_A }] }],
    ['a primary kid not among the keys', { primaryKid: 'z', keys: [{ kid: 'a', keyHex: KEY_A }] }],
    ['the same kid twice', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A }, { kid: 'a', keyHex: KEY_B }] }],
    ['the same key under two kids', { primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A }, { kid: 'b', keyHex: KEY_A }] }],
  ])('%s', (_name, config) => {
    expect(refusal(config).code).toBe('TOKEN_KEY_INVALID');
  });

  it('flags the public development key so production can refuse it', () => {
    expect(createTokenKeyring(DEV_TOKEN_KEYRING_CONFIG).usesDevelopmentKey).toBe(true);
    expect(createTokenKeyring(rotating).usesDevelopmentKey).toBe(false);
  });
});

describe('no secret leaks through errors or printing', () => {
  const secrets = [MIR_PAN, '6726426572433735329', KEY_A, KEY_A.slice(2), KEY_B, KEY_C, Buffer.from(KEY_B, 'hex').toString('base64')];
  const leaks = (text: string): string[] => secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase()));

  it('error messages and details never contain the PAN or key material', () => {
    const keyring = createTokenKeyring(rotating);
    const errors: unknown[] = [
      refusal({ primaryKid: 'a', keys: [{ kid: 'a', keyHex: KEY_A.slice(2) }] }),
      refusal({ primaryKid: 'a', keys: [{ kid: KEY_A, keyHex: KEY_B }] }), // key pasted into kid
      refusal({ primaryKid: KEY_C, keys: [{ kid: 'a', keyHex: KEY_A }] }),
      refusal({ primaryKid: 'a', keys: [{ kid: 'a', keyHex: `${KEY_A}0` }] }),
      refusal(rotating.keys.concat({ kid: 'c', keyHex: KEY_C })),
      refusal({ primaryKid: 'a', keys: [...rotating.keys, { kid: 'c', keyHex: KEY_C }] }),
    ];
    for (const bad of [`${MIR_PAN}1234`, `${MIR_PAN}x`, '6726426572433735329000']) {
      try {
        keyring.panToken(bad);
      } catch (err) {
        errors.push(err);
      }
    }
    try {
      panFromBcd(fromHex('6726426572433735329A'));
    } catch (err) {
      errors.push(err);
    }
    expect(errors).toHaveLength(10);
    for (const err of errors) {
      expect(err).toBeInstanceOf(RescardError);
      const text = `${(err as Error).message} ${JSON.stringify(err)} ${inspect(err)}`;
      expect(leaks(text)).toEqual([]);
    }
  });

  it('a keyring prints and serialises without its keys', () => {
    const keyring = createTokenKeyring(rotating);
    const text = `${inspect(keyring, { showHidden: true, depth: 5 })} ${JSON.stringify(keyring)}`;
    expect(leaks(text)).toEqual([]);
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ primaryKid: 'ru-77-2025b', kids: ['ru-77-2025b', 'ru-77-2025a'] });
  });
});
