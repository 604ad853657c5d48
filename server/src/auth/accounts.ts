/**
 * Accounts in auth.db: create (with a given or a generated password), find, list, change.
 * Passwords are hashed with scrypt (password.ts); the clear password is returned only by
 * createAccount when it generated one, to be shown once.
 */
import { RescardError } from '@rescard/shared';
import type { AuthDb } from './auth-db.js';
import { storeError } from './auth-db.js';
import { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost } from './password.js';
import { NO_SCOPE, type AccountScope, type Role } from './principal.js';
import { newId, randomPassword } from './secret-token.js';

export interface AccountRecord {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly scope: AccountScope;
  readonly disabled: boolean;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

interface Row {
  id: string;
  username: string;
  role: Role;
  scope: string;
  password_hash: string | null;
  disabled: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
export const MIN_PASSWORD_LENGTH = 12;

function toScope(json: string): AccountScope {
  const v = JSON.parse(json) as Partial<AccountScope>;
  return { schools: v.schools ?? [], carriers: v.carriers ?? [], routes: v.routes ?? [] };
}

const toRecord = (r: Row): AccountRecord => ({
  id: r.id, username: r.username, role: r.role, scope: toScope(r.scope), disabled: r.disabled === 1, createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms,
});

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new RescardError('REQUEST_INVALID', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
}

export interface NewAccount {
  readonly username: string;
  readonly role: Role;
  /** Absent: a random password is generated and returned once. */
  readonly password?: string;
  readonly scope?: Partial<AccountScope>;
  readonly nowMs: number;
  readonly cost?: ScryptCost;
}

export async function createAccount(db: AuthDb, a: NewAccount): Promise<{ account: AccountRecord; generatedPassword: string | null }> {
  if (!new RegExp(USERNAME_PATTERN).test(a.username)) throw new RescardError('REQUEST_INVALID', 'a username is 1-64 letters, digits or . _ @ -', { field: 'username' });
  if (a.password !== undefined) checkPassword(a.password);
  const password = a.password ?? randomPassword();
  const hash = await hashPassword(password, a.cost ?? DEFAULT_SCRYPT_COST);
  const scope: AccountScope = { ...NO_SCOPE, ...a.scope };
  const id = newId();
  try {
    if (findAccount(db, a.username) !== null) throw new RescardError('REQUEST_INVALID', `the username ${a.username} is taken`, { status: 409, field: 'username' });
    db.prepare('INSERT INTO account (id, username, role, scope, password_hash, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, a.username, a.role, JSON.stringify(scope), hash, a.nowMs, a.nowMs);
  } catch (err) {
    throw storeError(err, 'create account');
  }
  const account = getAccount(db, id);
  if (account === null) throw storeError(new Error('account vanished after insert'), 'create account');
  return { account, generatedPassword: a.password === undefined ? password : null };
}

export function getAccount(db: AuthDb, id: string): AccountRecord | null {
  const row = db.prepare<[string], Row>('SELECT * FROM account WHERE id = ?').get(id);
  return row ? toRecord(row) : null;
}

/** By username (case-insensitive), with the stored hash for the login check. */
export function findAccount(db: AuthDb, username: string): (AccountRecord & { passwordHash: string | null }) | null {
  const row = db.prepare<[string], Row>('SELECT * FROM account WHERE username = ?').get(username);
  return row ? { ...toRecord(row), passwordHash: row.password_hash } : null;
}

export function listAccounts(db: AuthDb): AccountRecord[] {
  return db.prepare<[], Row>('SELECT * FROM account ORDER BY username').all().map(toRecord);
}

export function countAccounts(db: AuthDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM account').get() as { n: number }).n;
}

export interface AccountChange {
  readonly role?: Role;
  readonly scope?: Partial<AccountScope>;
  readonly disabled?: boolean;
  readonly password?: string;
}

export async function updateAccount(db: AuthDb, id: string, change: AccountChange, nowMs: number, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<AccountRecord> {
  const before = getAccount(db, id);
  if (before === null) throw new RescardError('REQUEST_INVALID', `unknown account ${id}`, { status: 404 });
  if (change.password !== undefined) checkPassword(change.password);
  const hash = change.password === undefined ? null : await hashPassword(change.password, cost);
  const scope = change.scope === undefined ? before.scope : { ...before.scope, ...change.scope };
  try {
    db.prepare('UPDATE account SET role = ?, scope = ?, disabled = ?, password_hash = COALESCE(?, password_hash), updated_at_ms = ? WHERE id = ?')
      .run(change.role ?? before.role, JSON.stringify(scope), (change.disabled ?? before.disabled) ? 1 : 0, hash, nowMs, id);
  } catch (err) {
    throw storeError(err, 'update account');
  }
  return getAccount(db, id) ?? before;
}

/** Replace the stored hash (a re-hash with stronger parameters after a successful login). */
export function replacePasswordHash(db: AuthDb, id: string, hash: string): void {
  db.prepare('UPDATE account SET password_hash = ? WHERE id = ?').run(hash, id);
}
