/**
 * Meals per student per local day: counted canteen taps (counted MEAL, outcome ALLOW; repeats
 * and refusals count nothing). One row per school × day × token, with the class from the roster
 * of that day ('' when not on it), the number of meals, free and paid, the amount paid from the
 * allowance and the meal windows in the order they were served.
 */
import { groupRuns } from './group-runs.js';
import { columnsOf, type Report } from './report.js';
import { CONTEXT, periodWhere, schoolWhere, Where } from './report-query.js';

export interface MealDayRow {
  readonly schoolId: string;
  readonly day: string;
  readonly className: string;
  readonly token: string;
  readonly panMasked: string;
  readonly meals: number;
  readonly freeMeals: number;
  readonly paidMeals: number;
  readonly paidKopecks: number;
  /** Window ids separated by spaces, in serving order, e.g. "breakfast lunch". */
  readonly windows: string;
}

export interface MealDaySql {
  school_id: string; day: string; token: string; pan_masked: string; meals: number; free_meals: number; paid: number; windows: string | null;
}

export const COUNTED_MEAL = "profile = 'canteen' AND outcome = 'ALLOW' AND counted = 'MEAL'";
export const MEAL_FREE = "COALESCE(json_extract(meal, '$.free'), 0)";

export const shapeMealDay = (r: MealDaySql, className: string): MealDayRow => ({
  schoolId: r.school_id, day: r.day, className, token: r.token, panMasked: r.pan_masked, meals: r.meals, freeMeals: r.free_meals,
  paidMeals: r.meals - r.free_meals, paidKopecks: r.paid, windows: r.windows ?? '',
});

export const meals: Report<MealDayRow> = {
  name: 'meals',
  columns: columnsOf<MealDayRow>(['schoolId', 'day', 'className', 'token', 'panMasked', 'meals', 'freeMeals', 'paidMeals', 'paidKopecks', 'windows']),
  rows(rdb, q, deps) {
    const w = schoolWhere(periodWhere(new Where().add(COUNTED_MEAL), q), q);
    const stmt = rdb.db.prepare<unknown[], MealDaySql>(`
      SELECT COALESCE(${CONTEXT.school}, '') AS school_id, rc_day(wall_ms) AS day, token, MIN(pan_masked) AS pan_masked, COUNT(*) AS meals,
        SUM(${MEAL_FREE} = 1) AS free_meals, SUM(amount_kopecks) AS paid,
        group_concat(COALESCE(json_extract(meal, '$.window'), ''), ' ' ORDER BY wall_ms, device_id, seq) AS windows
      FROM tap WHERE ${w.sql}
      GROUP BY school_id, day, token
      ORDER BY school_id, day, token`);
    const runs = groupRuns(stmt.iterate(...w.params), (r) => `${r.school_id}\u0000${r.day}`);
    return (function* () {
      for (const { rows } of runs) {
        const first = rows[0];
        if (first === undefined) continue;
        const classes = new Map<string, string>();
        for (const m of deps.roster.members(first.school_id, first.day)) if (!classes.has(m.token)) classes.set(m.token, m.className);
        for (const r of rows) yield shapeMealDay(r, classes.get(r.token) ?? '');
      }
    })();
  },
};
