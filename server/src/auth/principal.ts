/**
 * Who is calling: the roles of operator access (issue 5 §2) and the authenticated principal the
 * HTTP layer hands to the policy. A school account is limited to its schools, a carrier account
 * to its carriers and routes; the other roles have no scope.
 */
export const ROLES = ['admin', 'operator', 'school', 'carrier', 'auditor', 'technician'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The ids a scoped account is limited to (empty for unscoped roles). */
export interface AccountScope {
  readonly schools: readonly string[];
  readonly carriers: readonly string[];
  readonly routes: readonly string[];
}

export const NO_SCOPE: AccountScope = { schools: [], carriers: [], routes: [] };

export interface Principal {
  readonly accountId: string;
  readonly username: string;
  readonly role: Role;
  readonly scope: AccountScope;
  /** The credential that authenticated this request: a login session or a named API token. */
  readonly credential: { readonly id: string; readonly kind: 'session' | 'api' };
}
