/**
 * Canteen billing per school × entitlement category over the period: free meals (count and
 * their menu value, meal.priceKopecks: what the programme pays for) and paid meals (count and
 * the amount taken from the allowances). Category: MealCategorySource (the registry's canteen
 * entitlements) per school, token and day; '' without one. Rows ordered by school, category.
 * Bounded: one school's categories are held at a time.
 */
import { byCodeUnits } from './group-runs.js';
import { COUNTED_MEAL, MEAL_FREE } from './meals.js';
import type { MealCategorySource } from './meal-category-source.js';
import { columnsOf, type Report } from './report.js';
import { CONTEXT, periodWhere, schoolWhere, Where } from './report-query.js';

export interface MealBillingRow {
  readonly schoolId: string;
  readonly category: string;
  readonly meals: number;
  readonly freeMeals: number;
  readonly freeValueKopecks: number;
  readonly paidMeals: number;
  readonly paidKopecks: number;
}

/** One token's meals at one school on one day, free or paid. */
export interface MealGroup {
  readonly school_id: string;
  readonly day: string;
  readonly token: string;
  readonly free: number;
  readonly meals: number;
  readonly value: number;
  readonly paid: number;
}

type Totals = Omit<MealBillingRow, 'schoolId' | 'category'>;

/** One school's totals per category, fed group by group (holds one school's categories only). */
export class SchoolBill {
  private readonly acc = new Map<string, { -readonly [K in keyof Totals]: number }>();

  constructor(
    readonly schoolId: string,
    private readonly categories: MealCategorySource | null,
  ) {}

  add(g: MealGroup): this {
    const category = this.categories?.category(this.schoolId, g.token, g.day) ?? '';
    const a = this.acc.get(category) ?? { meals: 0, freeMeals: 0, freeValueKopecks: 0, paidMeals: 0, paidKopecks: 0 };
    a.meals += g.meals;
    if (g.free === 1) {
      a.freeMeals += g.meals;
      a.freeValueKopecks += g.value;
    } else {
      a.paidMeals += g.meals;
      a.paidKopecks += g.paid;
    }
    this.acc.set(category, a);
    return this;
  }

  /** The rows, ordered by category. */
  rows(): MealBillingRow[] {
    return [...this.acc.entries()].sort(([a], [b]) => byCodeUnits(a, b)).map(([category, a]) => ({ schoolId: this.schoolId, category, ...a }));
  }
}

export const mealBilling: Report<MealBillingRow> = {
  name: 'meal-billing',
  columns: columnsOf<MealBillingRow>(['schoolId', 'category', 'meals', 'freeMeals', 'freeValueKopecks', 'paidMeals', 'paidKopecks']),
  rows(rdb, q, deps) {
    const w = schoolWhere(periodWhere(new Where().add(COUNTED_MEAL), q), q);
    const stmt = rdb.db.prepare<unknown[], MealGroup>(`
      SELECT COALESCE(${CONTEXT.school}, '') AS school_id, rc_day(wall_ms) AS day, token, (${MEAL_FREE} = 1) AS free, COUNT(*) AS meals,
        SUM(COALESCE(json_extract(meal, '$.priceKopecks'), 0)) AS value, SUM(amount_kopecks) AS paid
      FROM tap WHERE ${w.sql}
      GROUP BY school_id, day, token, free
      ORDER BY school_id, day, token, free`);
    const groups = stmt.iterate(...w.params);
    return (function* () {
      let bill: SchoolBill | null = null;
      for (const g of groups) {
        if (bill !== null && bill.schoolId !== g.school_id) yield* bill.rows();
        if (bill === null || bill.schoolId !== g.school_id) bill = new SchoolBill(g.school_id, deps.mealCategories);
        bill.add(g);
      }
      if (bill !== null) yield* bill.rows();
    })();
  },
};
