/**
 * Login sessions and API tokens in auth.db (table credential). A token is returned once, when
 * made; only its SHA-256 is stored, so a copy of auth.db lets nobody in. `resolveToken` turns a
 * bearer token into the principal, or says why not (unknown, expired, revoked, account disabled).
 */
import { RescardError } from '@rescard/shared';
import type { AuthDb } from './auth-db.js';
import { storeError } from './auth-db.js';
import { getAccount } from './accounts.js';
import type { Principal } from './principal.js';
import { looksLikeToken, newToken, tokenSha256, type CredentialKind } from './secret-token.js';

export interface IssuedToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAtMs: number | null;
}

export interface CredentialRecord {
  readonly id: string;
  readonly accountId: string;
  readonly kind: CredentialKind;
  readonly name: string | null;
  readonly createdAtMs: number;
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
}

interface Row {
  id: string;
  account_id: string;
  kind: CredentialKind;
  name: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
}

const toRecord = (r: Row): CredentialRecord => ({
  id: r.id, accountId: r.account_id, kind: r.kind, name: r.name, createdAtMs: r.created_at_ms, expiresAtMs: r.expires_at_ms, revokedAtMs: r.revoked_at_ms,
});

function insert(db: AuthDb, kind: CredentialKind, accountId: string, name: string | null, nowMs: number, expiresAtMs: number | null): IssuedToken {
  const t = newToken(kind);
  try {
    db.prepare('INSERT INTO credential (id, account_id, kind, name, token_sha256, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.id, accountId, kind, name, t.sha256, nowMs, expiresAtMs);
  } catch (err) {
    throw storeError(err, `issue ${kind} token`);
  }
  return { id: t.id, token: t.token, expiresAtMs };
}

export function createSession(db: AuthDb, accountId: string, nowMs: number, ttlMs: number): IssuedToken {
  return insert(db, 'session', accountId, null, nowMs, nowMs + ttlMs);
}

export interface NewApiToken {
  readonly accountId: string;
  readonly name: string;
  readonly nowMs: number;
  /** null: never expires (until revoked). */
  readonly expiresAtMs: number | null;
}

export function issueApiToken(db: AuthDb, t: NewApiToken): IssuedToken {
  if (getAccount(db, t.accountId) === null) throw new RescardError('REQUEST_INVALID', `unknown account ${t.accountId}`, { status: 404 });
  if (t.expiresAtMs !== null && t.expiresAtMs <= t.nowMs) throw new RescardError('REQUEST_INVALID', 'an API token must expire in the future', { field: 'expiresAt' });
  return insert(db, 'api', t.accountId, t.name, t.nowMs, t.expiresAtMs);
}

export function getCredential(db: AuthDb, id: string): CredentialRecord | null {
  const row = db.prepare<[string], Row>('SELECT * FROM credential WHERE id = ?').get(id);
  return row ? toRecord(row) : null;
}

/** API tokens (never sessions) of one account, or of all accounts. */
export function listApiTokens(db: AuthDb, accountId: string | null): CredentialRecord[] {
  const rows = accountId === null
    ? db.prepare<[], Row>(`SELECT * FROM credential WHERE kind = 'api' ORDER BY created_at_ms`).all()
    : db.prepare<[string], Row>(`SELECT * FROM credential WHERE kind = 'api' AND account_id = ? ORDER BY created_at_ms`).all(accountId);
  return rows.map(toRecord);
}

/** Revoke once; true when this call revoked it (false: already revoked). */
export function revokeCredential(db: AuthDb, id: string, nowMs: number): boolean {
  try {
    return db.prepare('UPDATE credential SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(nowMs, id).changes === 1;
  } catch (err) {
    throw storeError(err, 'revoke token');
  }
}

export type Resolved = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked' | 'disabled' };

export function resolveToken(db: AuthDb, token: string, nowMs: number): Resolved {
  if (!looksLikeToken(token)) return { ok: false, reason: 'unknown' };
  const row = db.prepare<[string], Row>('SELECT * FROM credential WHERE token_sha256 = ?').get(tokenSha256(token));
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.revoked_at_ms !== null) return { ok: false, reason: 'revoked' };
  if (row.expires_at_ms !== null && row.expires_at_ms <= nowMs) return { ok: false, reason: 'expired' };
  const account = getAccount(db, row.account_id);
  if (account === null || account.disabled) return { ok: false, reason: 'disabled' };
  return {
    ok: true,
    principal: { accountId: account.id, username: account.username, role: account.role, scope: account.scope, credential: { id: row.id, kind: row.kind } },
  };
}
