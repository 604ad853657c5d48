/**
 * Attendance per school × class × local day: first entry, last exit, absent.
 *
 * Only confirmed passages count: gate taps with counted PASSAGE and outcome ALLOW. A gate with
 * a turnstile records its grant with nothing counted and a follow-up PASSAGE_CONFIRMED tap that
 * counts the PASSAGE (or NOT_PASSED, counting nothing), so a grant nobody walked through is not
 * attendance. A gate without a turnstile counts the grant itself.
 *
 * A school day (for one school) is a local day on which that school's gates counted at least
 * one passage; weekends and holidays thus never make anyone absent. For each school day, every
 * member of the roster that day (RosterSource) gets a row, and so does anyone who passed without
 * being on it (onRoster false). status: present (a confirmed entry), exit_only (a confirmed exit
 * but no entry: inside without a recorded entry), absent (neither). Rows are ordered by school,
 * day, class, token.
 */
import type { LocalClock } from './period.js';
import { byCodeUnits, groupRuns } from './group-runs.js';
import { columnsOf, type Report } from './report.js';
import { CONTEXT, periodWhere, schoolWhere, Where } from './report-query.js';
import type { RosterMember } from './roster-source.js';

export interface AttendanceRow {
  readonly schoolId: string;
  readonly day: string;
  readonly className: string;
  readonly token: string;
  readonly panMasked: string;
  readonly role: string;
  readonly onRoster: boolean;
  readonly firstEntry: string | null;
  readonly lastExit: string | null;
  readonly status: 'present' | 'exit_only' | 'absent';
}

/** One token's confirmed passages at one school on one day. */
export interface PassageDay {
  readonly school_id: string;
  readonly day: string;
  readonly token: string;
  readonly pan_masked: string;
  readonly first_in: number | null;
  readonly last_out: number | null;
}

/** The rows of one school day: the roster plus anyone who passed; ordered by class, token. */
export function attendanceDay(schoolId: string, day: string, passages: readonly PassageDay[], roster: Iterable<RosterMember>, clock: LocalClock): AttendanceRow[] {
  const members = new Map<string, RosterMember>();
  for (const m of roster) if (!members.has(m.token)) members.set(m.token, m);
  const passed = new Map(passages.map((p) => [p.token, p]));
  const tokens = new Set([...members.keys(), ...passed.keys()]);
  const rows = [...tokens].map((token): AttendanceRow => {
    const m = members.get(token);
    const p = passed.get(token);
    const firstIn = p?.first_in ?? null;
    const lastOut = p?.last_out ?? null;
    return {
      schoolId, day, className: m?.className ?? '', token, panMasked: p?.pan_masked ?? '', role: m?.role ?? '', onRoster: m !== undefined,
      firstEntry: firstIn === null ? null : clock.time(firstIn), lastExit: lastOut === null ? null : clock.time(lastOut),
      status: firstIn !== null ? 'present' : lastOut !== null ? 'exit_only' : 'absent',
    };
  });
  return rows.sort((a, b) => byCodeUnits(a.className, b.className) || byCodeUnits(a.token, b.token));
}

export const CONFIRMED_PASSAGE = "profile = 'gate' AND outcome = 'ALLOW' AND counted = 'PASSAGE'";

export const attendance: Report<AttendanceRow> = {
  name: 'attendance',
  columns: columnsOf<AttendanceRow>(['schoolId', 'day', 'className', 'token', 'panMasked', 'role', 'onRoster', 'firstEntry', 'lastExit', 'status']),
  rows(rdb, q, deps) {
    const w = schoolWhere(periodWhere(new Where().add(CONFIRMED_PASSAGE), q), q);
    const stmt = rdb.db.prepare<unknown[], PassageDay>(`
      SELECT COALESCE(${CONTEXT.school}, '') AS school_id, rc_day(wall_ms) AS day, token, MIN(pan_masked) AS pan_masked,
        MIN(CASE WHEN direction = 'IN' THEN wall_ms END) AS first_in, MAX(CASE WHEN direction = 'OUT' THEN wall_ms END) AS last_out
      FROM tap WHERE ${w.sql}
      GROUP BY school_id, day, token
      ORDER BY school_id, day, token`);
    const runs = groupRuns(stmt.iterate(...w.params), (r) => `${r.school_id}\u0000${r.day}`);
    return (function* () {
      for (const { rows } of runs) {
        const first = rows[0];
        if (first === undefined) continue;
        yield* attendanceDay(first.school_id, first.day, rows, deps.roster.members(first.school_id, first.day), rdb.clock);
      }
    })();
  },
};
