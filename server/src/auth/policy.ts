/**
 * The access policy, pure: `can(principal, action, resource?)`. A table says which roles may do
 * each action; scoped roles (school, carrier) are further limited to resources in their scope:
 *
 *   school   only resources of its schools: audience `school:<id>` or `schoolId` in its list
 *   carrier  only resources of its carriers or routes: `carrierId` / `routeId` in its lists
 *   auditor  read actions only (the table gives it no write action; checked again here)
 *
 * A scoped role needs a resource in scope: an action on "everything" (no resource, or the
 * region audience) is refused to it. Routes that declare no action fall back to `unclassified`,
 * which only admin may call (fail closed). docs/auth.md has the same table for people.
 */
import type { Principal, Role } from './principal.js';

type Scoping = 'school' | 'carrier';

interface ActionRule {
  readonly roles: readonly Role[];
  /** Reads change nothing; the auditor may only do reads. */
  readonly write: boolean;
  /** Which scoped roles may take part, limited to their scope. */
  readonly scoped?: readonly Scoping[];
  /** About the caller itself (its session, its tokens): no resource, no scope check. */
  readonly self?: true;
}

const r = (write: boolean, roles: readonly Role[], scoped?: readonly Scoping[]): ActionRule => (scoped ? { roles, write, scoped } : { roles, write });
const ANYONE: readonly Role[] = ['admin', 'operator', 'school', 'carrier', 'auditor', 'technician'];

export const ACTIONS = {
  /**
   * Any account about itself: GET /api/auth/me, logout, its own API tokens. Not a write of the
   * programme's data, so the read-only auditor may log out and keep a token for its scripts.
   */
  'self:read': { roles: ANYONE, write: false, self: true },
  'self:write': { roles: ANYONE, write: false, self: true },
  'account:read': r(false, ['admin', 'auditor']),
  'account:write': r(true, ['admin']),
  'audit:read': r(false, ['admin', 'auditor']),
  'device:read': r(false, ['admin', 'operator', 'technician', 'auditor']),
  'device:write': r(true, ['admin', 'technician']),
  'tap:read': r(false, ['admin', 'operator', 'auditor']),
  'list:read': r(false, ['admin', 'operator', 'technician', 'auditor', 'school'], ['school']),
  'list:write': r(true, ['admin', 'operator', 'school'], ['school']),
  'stoplist:read': r(false, ['admin', 'operator', 'auditor']),
  'stoplist:write': r(true, ['admin', 'operator']),
  'import:read': r(false, ['admin', 'operator', 'auditor', 'school'], ['school']),
  'import:write': r(true, ['admin', 'operator', 'school'], ['school']),
  'report:read': r(false, ['admin', 'operator', 'auditor', 'school', 'carrier'], ['school', 'carrier']),
  'pki:read': r(false, ['admin', 'technician', 'auditor']),
  'pki:write': r(true, ['admin', 'technician']),
  unclassified: r(true, ['admin']),
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof ACTIONS;

export function isAction(value: string): value is Action {
  return Object.hasOwn(ACTIONS, value);
}

/** What an action is about, for the scope check. Any field may be absent. */
export interface Resource {
  /** A list audience: `region` or `school:<id>`. */
  readonly audience?: string;
  readonly schoolId?: string;
  readonly carrierId?: string;
  readonly routeId?: string;
}

export type Verdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOW: Verdict = { allowed: true };
const deny = (reason: string): Verdict => ({ allowed: false, reason });

export function can(principal: Principal, action: Action, resource?: Resource): Verdict {
  const rule: ActionRule = ACTIONS[action];
  const { role, scope } = principal;
  if (!rule.roles.includes(role)) return deny(`role ${role} may not ${action}`);
  if (role === 'auditor' && rule.write) return deny('the auditor role is read-only');
  if ((role !== 'school' && role !== 'carrier') || rule.self === true) return ALLOW;
  if (!(rule.scoped ?? []).includes(role)) return deny(`role ${role} may not ${action}`);
  if (resource === undefined) return deny(`${action} needs a resource within the ${role} account's scope`);
  if (role === 'school') {
    const schools = new Set<string>();
    if (resource.audience !== undefined) {
      if (!resource.audience.startsWith('school:')) return deny(`audience ${resource.audience} is outside the school account's scope`);
      schools.add(resource.audience.slice('school:'.length));
    }
    if (resource.schoolId !== undefined) schools.add(resource.schoolId);
    if (schools.size === 0) return deny(`${action} needs a school within the account's scope`);
    for (const id of schools) if (!scope.schools.includes(id)) return deny(`school ${id} is outside the account's scope`);
    return ALLOW;
  }
  const named = [resource.carrierId, resource.routeId].filter((v) => v !== undefined);
  if (named.length === 0 || resource.audience !== undefined || resource.schoolId !== undefined) return deny(`${action} needs a carrier or route within the account's scope`);
  if (resource.carrierId !== undefined && !scope.carriers.includes(resource.carrierId)) return deny(`carrier ${resource.carrierId} is outside the account's scope`);
  if (resource.routeId !== undefined && !scope.routes.includes(resource.routeId)) return deny(`route ${resource.routeId} is outside the account's scope`);
  return ALLOW;
}
