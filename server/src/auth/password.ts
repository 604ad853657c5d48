/**
 * Password hashing with scrypt (node:crypto), stored in the PHC string format with its
 * parameters, so they can be raised later and old hashes still verify (and are re-hashed at the
 * next successful login, see `needsRehash`):
 *
 *   $scrypt$ln=15,r=8,p=3$<salt, base64>$<hash, base64>
 *
 * Default cost: N=2^15, r=8, p=3, one of OWASP's equivalent scrypt settings (Password Storage
 * Cheat Sheet: N=2^17/r=8/p=1, …, N=2^15/r=8/p=3), chosen for its 32 MiB per hash: a burst of
 * logins does not take the server's memory. 16-byte random salt, 32-byte hash, compared in
 * constant time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  /** log2 of N (CPU/memory cost). */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { ln: 15, r: 8, p: 3 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, cost, HASH_BYTES);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface Parsed {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parse(stored: string): Parsed | null {
  const m = PHC.exec(stored);
  if (m === null) return null;
  const [, ln, r, p, salt, hash] = m;
  return { cost: { ln: Number(ln), r: Number(r), p: Number(p) }, salt: Buffer.from(salt ?? '', 'base64'), hash: Buffer.from(hash ?? '', 'base64') };
}

/** True when `password` matches; false for a wrong password or an unusable stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null || parsed.hash.length < 16) return false;
  const candidate = await derive(password, parsed.salt, parsed.cost, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** A stored hash made with weaker parameters than `cost` (or unreadable) should be replaced. */
export function needsRehash(stored: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const parsed = parse(stored);
  if (parsed === null) return true;
  return parsed.cost.ln < cost.ln || parsed.cost.r < cost.r || parsed.cost.p < cost.p;
}

/** A hash of nothing, verified when the username is unknown so timing does not tell. */
const dummies = new Map<string, Promise<string>>(); // one per cost in use: a handful at most
export function dummyHash(cost: ScryptCost): Promise<string> {
  const key = `${cost.ln},${cost.r},${cost.p}`;
  let hash = dummies.get(key);
  if (hash === undefined) dummies.set(key, (hash = hashPassword(randomBytes(16).toString('hex'), cost)));
  return hash;
}
