/**
 * The registry as the reports' sources (server/src/reports ports): school rosters (who is on them,
 * class, student or staff) and canteen entitlement categories, from the last applied imports in
 * registry.db. One read-only connection; each call is one indexed query.
 */
import Database from 'better-sqlite3';
import type { MealCategorySource } from '../reports/meal-category-source.js';
import type { RosterMember, RosterSource } from '../reports/roster-source.js';

interface EntryRow {
  token: string;
  category: string | null;
  valid_from: string | null;
  valid_to: string | null;
  attrs: string;
}

const within = (r: EntryRow, day: string): boolean => (r.valid_from === null || r.valid_from <= day) && (r.valid_to === null || day <= r.valid_to);

export class RegistryReportSources implements RosterSource, MealCategorySource {
  private readonly db: Database.Database;
  private readonly roster: Database.Statement<[string], EntryRow>;
  private readonly canteen: Database.Statement<[string, string], EntryRow>;

  constructor(registryDbPath: string) {
    this.db = new Database(registryDbPath, { readonly: true, fileMustExist: true });
    this.roster = this.db.prepare(`SELECT token, category, valid_from, valid_to, attrs FROM registry_entry WHERE list = 'roster' AND audience = ? ORDER BY token`);
    this.canteen = this.db.prepare(`SELECT token, category, valid_from, valid_to, attrs FROM registry_entry WHERE list = 'canteen' AND audience = ? AND token = ?`);
  }

  members(schoolId: string, day: string): RosterMember[] {
    return this.roster
      .all(`school:${schoolId}`)
      .filter((r) => within(r, day))
      .map((r) => {
        const a = JSON.parse(r.attrs) as { classId?: string; role?: string };
        return { token: r.token, className: a.classId ?? '', role: a.role === 'staff' ? 'staff' : 'student' };
      });
  }

  category(schoolId: string, token: string, day: string): string | null {
    const r = this.canteen.get(`school:${schoolId}`, token);
    return r !== undefined && within(r, day) ? r.category : null;
  }

  close(): void {
    this.db.close();
  }
}
