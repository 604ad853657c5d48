/**
 * The audit log in auth.db: who, when, what, why, with what outcome. Append-only: this module
 * has INSERT and SELECT only, and triggers in the schema refuse UPDATE and DELETE. Nothing is
 * written here that was not made safe first (audit-redact.ts): never a body, a password, a token
 * or a PAN.
 */
import type { AuthDb } from './auth-db.js';
import { redactDeep, redactText } from './audit-redact.js';
import { storeError } from './auth-db.js';
import type { Principal } from './principal.js';

export type AuditEvent =
  | 'http' // a state-changing API call (POST, PUT, PATCH, DELETE under /api/)
  | 'login.success'
  | 'login.failure'
  | 'login.limited'
  | 'logout'
  | 'account.create'
  | 'account.update'
  | 'token.create'
  | 'token.revoke'
  | 'bootstrap';

export interface AuditEntryInput {
  readonly atMs: number;
  readonly event: AuditEvent;
  readonly actor: Pick<Principal, 'accountId' | 'username' | 'role'> & { readonly credentialId?: string } | null;
  readonly method?: string;
  readonly route?: string;
  /** Already-safe JSON: route params, body field names and allow-listed values. */
  readonly target?: Record<string, unknown>;
  readonly status?: number;
  readonly why?: string | null;
  readonly ip?: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly at: string;
  readonly event: AuditEvent;
  readonly actor: { readonly id: string | null; readonly username: string | null; readonly role: string | null; readonly credentialId: string | null };
  readonly method: string | null;
  readonly route: string | null;
  readonly target: Record<string, unknown> | null;
  readonly status: number | null;
  readonly why: string | null;
  readonly ip: string | null;
}

interface Row {
  id: number; at_ms: number; event: AuditEvent; actor_id: string | null; actor_name: string | null; actor_role: string | null; credential_id: string | null;
  method: string | null; route: string | null; target: string | null; status: number | null; why: string | null; ip: string | null;
}

export function appendAudit(db: AuthDb, e: AuditEntryInput): number {
  try {
    const res = db.prepare(`INSERT INTO audit (at_ms, event, actor_id, actor_name, actor_role, credential_id, method, route, target, status, why, ip)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      e.atMs, e.event, e.actor?.accountId ?? null, e.actor?.username ?? null, e.actor?.role ?? null, e.actor?.credentialId ?? null,
      e.method ?? null, e.route ?? null, e.target === undefined ? null : JSON.stringify(redactDeep(e.target)), e.status ?? null,
      e.why == null ? null : redactText(e.why, 500), e.ip ?? null,
    );
    return Number(res.lastInsertRowid);
  } catch (err) {
    throw storeError(err, 'append to the audit log');
  }
}

export interface AuditQuery {
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Paging: entries with an id above this. */
  readonly afterId?: number;
  readonly limit: number;
}

/** Oldest first; `next` is the afterId of the following page, null on the last one. */
export function queryAudit(db: AuthDb, q: AuditQuery): { entries: AuditEntry[]; next: number | null } {
  const rows = db.prepare<[number, number, number, number], Row>('SELECT * FROM audit WHERE id > ? AND at_ms >= ? AND at_ms < ? ORDER BY id LIMIT ?')
    .all(q.afterId ?? 0, q.fromMs ?? 0, q.toMs ?? Number.MAX_SAFE_INTEGER, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const entries = page.map((r): AuditEntry => ({
    id: r.id, atMs: r.at_ms, at: new Date(r.at_ms).toISOString(), event: r.event,
    actor: { id: r.actor_id, username: r.actor_name, role: r.actor_role, credentialId: r.credential_id },
    method: r.method, route: r.route, target: r.target === null ? null : (JSON.parse(r.target) as Record<string, unknown>), status: r.status, why: r.why, ip: r.ip,
  }));
  return { entries, next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}
