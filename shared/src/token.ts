/**
 * Card tokens: the only form in which a card leaves the read step (ADR 0001).
 *
 * token = base64url(HMAC-SHA-256(regional key, domain || value)), the full 32-byte MAC, with the
 * key's `kid` beside it. Domains: `rescard/pan/v1:` + normalised PAN digits and
 * `rescard/par/v1:` + the 29-character PAR, so a PAN and a PAR can never collide.
 * A plain SHA-256 of a PAN is brute-forceable (about 10^9 candidates per BIN): never use one.
 *
 * Key material never appears in an error, in `JSON.stringify(keyring)` or in `util.inspect`.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { RescardError } from './errors.js';
import { normalisePan } from './pan.js';

export const PAN_TOKEN_DOMAIN = 'rescard/pan/v1:';
export const PAR_TOKEN_DOMAIN = 'rescard/par/v1:';
export const TOKEN_MIN_KEY_BYTES = 32;
/** Rotation window: the new primary key and the one it replaces. */
export const TOKEN_MAX_ACTIVE_KEYS = 2;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

export type TokenKeyConfig =
  | { readonly kid: string; readonly keyHex: string }
  | { readonly kid: string; readonly keyBase64: string };

export interface TokenKeyringConfig {
  /** The kid new tokens are made with. */
  readonly primaryKid: string;
  /** One key, or two during a rotation. */
  readonly keys: readonly TokenKeyConfig[];
}

export interface CardToken {
  readonly kid: string;
  /** base64url, 43 characters. */
  readonly token: string;
}

/**
 * DEVELOPMENT ONLY. The key is public (it is in this file): tokens made with it protect nothing.
 * Never use it in production; `keyring.usesDevelopmentKey` lets a program refuse it.
 */
// ASCII "rescard dev token key NOT SECRET" (32 bytes).
const DEV_KEY_HEX = '726573636172642064657620746f6b656e206b6579204e4f5420534543524554';
export const DEV_TOKEN_KEYRING_CONFIG: TokenKeyringConfig = Object.freeze({
  primaryKid: 'dev-1',
  keys: Object.freeze([Object.freeze({ kid: 'dev-1', keyHex: DEV_KEY_HEX })]),
});

function keyInvalid(message: string, details: Record<string, unknown> = {}): RescardError {
  return new RescardError('TOKEN_KEY_INVALID', `card-token keyring: ${message}`, details);
}

/** Decode one configured key; messages name the key by position and kid, never by content. */
function decodeKey(entry: unknown, index: number): { kid: string; key: Buffer } {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { kid, keyHex, keyBase64 } = e;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    throw keyInvalid(`key #${index} has no valid kid (1-32 characters of A-Z a-z 0-9 . _ -)`, { index });
  }
  let key: Buffer;
  if (typeof keyHex === 'string' && keyBase64 === undefined) {
    if (!/^([0-9A-Fa-f]{2})+$/.test(keyHex)) throw keyInvalid(`key "${kid}": keyHex is not hex`, { kid });
    key = Buffer.from(keyHex, 'hex');
  } else if (typeof keyBase64 === 'string' && keyHex === undefined) {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(keyBase64)) throw keyInvalid(`key "${kid}": keyBase64 is not base64`, { kid });
    key = Buffer.from(keyBase64, 'base64');
  } else {
    throw keyInvalid(`key "${kid}" needs exactly one of keyHex or keyBase64`, { kid });
  }
  if (key.length < TOKEN_MIN_KEY_BYTES) {
    throw keyInvalid(`key "${kid}" is ${key.length} bytes; at least ${TOKEN_MIN_KEY_BYTES} are required`, {
      kid,
      sizeBytes: key.length,
    });
  }
  if (key.every((b) => b === key[0])) throw keyInvalid(`key "${kid}" is a placeholder (all bytes equal)`, { kid });
  return { kid, key };
}

/** Canonical PAR: trimmed, uppercase, 29 characters A-Z 0-9 (EMVCo PAR: 4-char BIN controller id + 25). */
export function normalisePar(par: string): string {
  const canonical = par.trim().toUpperCase();
  if (!/^[A-Z0-9]{29}$/.test(canonical)) {
    throw new RescardError('PAR_INVALID', `PAR must be 29 alphanumeric characters (got ${canonical.length})`, {
      length: canonical.length,
    });
  }
  return canonical;
}

export class TokenKeyring {
  readonly primaryKid: string;
  /** True when a key is the public development key: production programs must refuse to start. */
  readonly usesDevelopmentKey: boolean;
  /** Primary first. KeyObjects keep the material out of JS-visible buffers and are reused per MAC. */
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(primaryKid: string, keys: ReadonlyMap<string, KeyObject>, usesDevelopmentKey: boolean) {
    this.primaryKid = primaryKid;
    this.#keys = keys;
    this.usesDevelopmentKey = usesDevelopmentKey;
  }

  static fromConfig(config: TokenKeyringConfig): TokenKeyring {
    const keys: unknown = (config as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > TOKEN_MAX_ACTIVE_KEYS) {
      const count = Array.isArray(keys) ? keys.length : 0;
      throw keyInvalid(`needs 1 to ${TOKEN_MAX_ACTIVE_KEYS} keys (the rotation window), got ${count}`, { count });
    }
    const decoded: { kid: string; key: Buffer }[] = [];
    try {
      keys.forEach((entry, index) => decoded.push(decodeKey(entry, index)));
      const [a, b] = decoded;
      if (a && b && a.kid === b.kid) throw keyInvalid(`kid "${a.kid}" appears twice`, { kid: a.kid });
      if (a && b && a.key.equals(b.key)) throw keyInvalid(`kids "${a.kid}" and "${b.kid}" have the same key`);
      const primary = decoded.find((k) => k.kid === config.primaryKid);
      if (!primary) {
        throw keyInvalid(`primaryKid is not one of the configured kids (${decoded.map((k) => k.kid).join(', ')})`);
      }
      const devKey = Buffer.from(DEV_KEY_HEX, 'hex');
      const usesDevelopmentKey = decoded.some((k) => k.key.equals(devKey));
      const ordered = [primary, ...decoded.filter((k) => k !== primary)];
      // createSecretKey copies the bytes; the decoded buffers are wiped below either way.
      const map = new Map(ordered.map((k) => [k.kid, createSecretKey(k.key)] as const));
      return new TokenKeyring(primary.kid, map, usesDevelopmentKey);
    } finally {
      for (const k of decoded) k.key.fill(0);
    }
  }

  /** Kids, primary first. */
  kids(): string[] {
    return [...this.#keys.keys()];
  }

  panToken(pan: string): CardToken {
    return this.#mac(this.primaryKid, PAN_TOKEN_DOMAIN, normalisePan(pan));
  }

  parToken(par: string): CardToken {
    return this.#mac(this.primaryKid, PAR_TOKEN_DOMAIN, normalisePar(par));
  }

  /** One token per active kid, primary first: look a card up under both keys during a rotation. */
  panTokensAllKids(pan: string): CardToken[] {
    const digits = normalisePan(pan);
    return this.kids().map((kid) => this.#mac(kid, PAN_TOKEN_DOMAIN, digits));
  }

  parTokensAllKids(par: string): CardToken[] {
    const canonical = normalisePar(par);
    return this.kids().map((kid) => this.#mac(kid, PAR_TOKEN_DOMAIN, canonical));
  }

  #mac(kid: string, domain: string, value: string): CardToken {
    const key = this.#keys.get(kid)!;
    return { kid, token: createHmac('sha256', key).update(domain + value, 'latin1').digest('base64url') };
  }

  toJSON(): { primaryKid: string; kids: string[] } {
    return { primaryKid: this.primaryKid, kids: this.kids() };
  }

  [inspect.custom](): string {
    return `TokenKeyring { primaryKid: '${this.primaryKid}', kids: [${this.kids().join(', ')}] }`;
  }
}

export function createTokenKeyring(config: TokenKeyringConfig): TokenKeyring {
  return TokenKeyring.fromConfig(config);
}
