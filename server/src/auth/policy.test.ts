import { describe, expect, it } from 'vitest';
import { ACTIONS, can, type Action, type Resource } from './policy.js';
import { NO_SCOPE, ROLES, type AccountScope, type Principal, type Role } from './principal.js';

const who = (role: Role, scope: Partial<AccountScope> = {}): Principal => ({
  accountId: `a-${role}`, username: role, role, scope: { ...NO_SCOPE, ...scope }, credential: { id: 'c', kind: 'api' },
});

describe('policy: can(principal, action, resource)', () => {
  it('gives each unscoped role exactly the actions of the table', () => {
    const table: Record<Exclude<Role, 'school' | 'carrier'>, Action[]> = {
      admin: Object.keys(ACTIONS) as Action[],
      operator: ['self:read', 'self:write', 'device:read', 'tap:read', 'list:read', 'list:write', 'stoplist:read', 'stoplist:write', 'import:read', 'import:write', 'report:read'],
      auditor: ['self:read', 'self:write', 'account:read', 'audit:read', 'device:read', 'tap:read', 'list:read', 'stoplist:read', 'import:read', 'report:read', 'pki:read'],
      technician: ['self:read', 'self:write', 'device:read', 'device:write', 'list:read', 'pki:read', 'pki:write'],
    };
    for (const [role, allowed] of Object.entries(table) as [Role, Action[]][]) {
      for (const action of Object.keys(ACTIONS) as Action[]) {
        expect(can(who(role), action, { audience: 'region' }).allowed, `${role} ${action}`).toBe(allowed.includes(action));
      }
    }
  });

  it('never lets the auditor do a write action, whatever the table says', () => {
    for (const action of Object.keys(ACTIONS) as Action[]) {
      const rule = ACTIONS[action] as { write: boolean };
      if (rule.write) expect(can(who('auditor'), action).allowed, action).toBe(false);
    }
  });

  it('limits a school account to its own schools', () => {
    const school = who('school', { schools: ['s1', 's2'] });
    const ok: [Action, Resource][] = [['list:write', { audience: 'school:s1' }], ['list:read', { audience: 'school:s2' }], ['report:read', { schoolId: 's1' }], ['import:write', { schoolId: 's2' }]];
    for (const [action, res] of ok) expect(can(school, action, res), `${action} ${JSON.stringify(res)}`).toEqual({ allowed: true });
    const refused: [Action, Resource | undefined][] = [
      ['list:write', { audience: 'school:s3' }], ['list:write', { audience: 'region' }], ['list:write', undefined], ['list:write', { audience: 'school:s1', schoolId: 's3' }],
      ['report:read', { carrierId: 'c1' }], ['stoplist:write', { audience: 'school:s1' }], ['device:read', { schoolId: 's1' }], ['audit:read', undefined],
    ];
    for (const [action, res] of refused) expect(can(school, action, res).allowed, `${action} ${JSON.stringify(res)}`).toBe(false);
  });

  it('limits a carrier account to reports of its carriers and routes', () => {
    const carrier = who('carrier', { carriers: ['c1'], routes: ['r42'] });
    expect(can(carrier, 'report:read', { carrierId: 'c1' }).allowed).toBe(true);
    expect(can(carrier, 'report:read', { routeId: 'r42' }).allowed).toBe(true);
    expect(can(carrier, 'report:read', { carrierId: 'c1', routeId: 'r42' }).allowed).toBe(true);
    for (const res of [{ carrierId: 'c2' }, { routeId: 'r7' }, { carrierId: 'c1', routeId: 'r7' }, { schoolId: 's1' }, {}] as Resource[]) {
      expect(can(carrier, 'report:read', res).allowed, JSON.stringify(res)).toBe(false);
    }
    expect(can(carrier, 'report:read').allowed).toBe(false);
    expect(can(carrier, 'list:write', { audience: 'region' }).allowed).toBe(false);
    expect(can(carrier, 'tap:read', { routeId: 'r42' }).allowed).toBe(false);
  });

  it('leaves routes without a declared action to admin only', () => {
    for (const role of ROLES) expect(can(who(role, { schools: ['s1'] }), 'unclassified', { schoolId: 's1' }).allowed, role).toBe(role === 'admin');
  });

  it('says why it refuses', () => {
    expect(can(who('school', { schools: ['s1'] }), 'list:write', { audience: 'school:s9' })).toEqual({ allowed: false, reason: "school s9 is outside the account's scope" });
    expect(can(who('auditor'), 'list:write')).toEqual({ allowed: false, reason: 'role auditor may not list:write' });
  });
});
