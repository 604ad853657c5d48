/**
 * RosterSource: the school roster as of a day (who is on it, their class, student or staff).
 * A port: the registry (CSV roster imports) implements it; the reports only read through it.
 * InMemoryRosterSource serves tests and small set-ups.
 */
export interface RosterMember {
  readonly token: string;
  readonly className: string;
  readonly role: 'student' | 'staff';
}

export interface RosterSource {
  /** The roster of `schoolId` on local date `day` (YYYY-MM-DD). */
  members(schoolId: string, day: string): Iterable<RosterMember>;
}

export interface DatedMember extends RosterMember {
  readonly schoolId: string;
  /** Inclusive local dates; absent = open. */
  readonly validFrom?: string;
  readonly validTo?: string;
}

export class InMemoryRosterSource implements RosterSource {
  constructor(private readonly entries: readonly DatedMember[] = []) {}

  members(schoolId: string, day: string): RosterMember[] {
    return this.entries
      .filter((e) => e.schoolId === schoolId && (e.validFrom === undefined || e.validFrom <= day) && (e.validTo === undefined || day <= e.validTo))
      .map(({ token, className, role }) => ({ token, className, role }));
  }
}

/** A roster that knows nobody: attendance then lists only those who passed the gate. */
export const EMPTY_ROSTER: RosterSource = { members: () => [] };
